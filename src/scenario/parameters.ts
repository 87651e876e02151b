/**
 * Each strategy's parameters with their defaults and descriptions, read from the scenario's JSON
 * Schema (itself generated from the declaration), so `--help`, the schema and the README say the
 * same thing (a test holds the README's table to this).
 */
import { scenarioJsonSchema } from "./json-schema.js";
import { STRATEGY_NAMES, type StrategyName } from "./fields.js";

/** The scenario sections each strategy reads. */
export const STRATEGY_SECTIONS: Readonly<Record<StrategyName, readonly string[]>> = {
  polling: ["polling"],
  // Its base defaults to the poll interval.
  "polling-backoff": ["polling", "polling-backoff"],
  conditional: ["polling"],
  "long-polling": ["long-polling"],
  sse: [],
  webhook: ["webhook"],
  hybrid: ["webhook", "hybrid"],
};

/** Flags that override a parameter. */
const FLAGS: Readonly<Record<string, string>> = { "polling.interval": "--interval", "webhook.retries": "--retries", "webhook.timeout": "--webhook-timeout" };

/** Defaults that follow another field, so the schema has no literal for them. */
const DERIVED_DEFAULTS: Readonly<Record<string, string>> = {
  "polling-backoff.base": "polling.interval",
  "polling-backoff.cap": "10 × base",
  // The standard profile's; another profile (`profile`, --profile) sets its own (src/api/profiles.ts).
  "webhook.retries": "standard",
  "webhook.timeout": "15s",
};

/** A field another strategy's section also reads, in what it means there. */
const READ_AS: Partial<Record<StrategyName, Readonly<Record<string, string>>>> = {
  "polling-backoff": { "polling.interval": "The default of polling-backoff.base: the first sleep's ceiling when no base is given." },
};

/** What a strategy without parameters still does by itself. */
const NOTES: Partial<Record<StrategyName, string>> = { sse: "no parameters: one event stream; the provider sends a heartbeat comment every 15 s" };

export interface Parameter {
  /** `polling.interval` */
  path: string;
  /** As a file writes it: `1s`, `standard`. */
  default: string;
  description: string;
  flag?: string;
}

interface SchemaNode {
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
}

/** Every strategy's parameters, in the order of STRATEGY_NAMES. */
export function strategyParameters(): Array<{ strategy: StrategyName; parameters: Parameter[]; note?: string }> {
  const schema = scenarioJsonSchema() as SchemaNode;
  return STRATEGY_NAMES.map((strategy) => ({
    strategy,
    parameters: STRATEGY_SECTIONS[strategy].flatMap((section) =>
      Object.entries(schema.properties?.[section]?.properties ?? {}).map(([field, node]) => {
        const path = `${section}.${field}`;
        return { path, default: DERIVED_DEFAULTS[path] ?? show(node.default), description: READ_AS[strategy]?.[path] ?? node.description ?? "", ...(FLAGS[path] ? { flag: FLAGS[path] } : {}) };
      }),
    ),
    ...(NOTES[strategy] ? { note: NOTES[strategy] } : {}),
  }));
}

function show(value: unknown): string {
  if (value === undefined) return "none";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The block `apiwh compare --help` ends with: each strategy, its parameters and their defaults, wrapped to `width`. */
export function strategyParametersHelp(width = 80): string {
  const lines = ["", "Strategy parameters: scenario file fields, the default after =, a flag that", "overrides one in brackets (more in the README and the JSON Schema):"];
  const nameWidth = Math.max(...STRATEGY_NAMES.map((n) => n.length)) + 2;
  const pad = " ".repeat(2 + nameWidth);
  for (const { strategy, parameters, note } of strategyParameters()) {
    // hybrid is webhooks plus reconciliation: its webhook parameters are the webhook's, listed just above.
    const own = strategy === "hybrid" ? parameters.filter((p) => !p.path.startsWith("webhook.")) : parameters;
    const entries = own.map((p) => `${p.path} = ${p.default}${p.flag ? ` [${p.flag}]` : ""}: ${brief(p.description)}`);
    if (strategy === "hybrid") entries.push("and webhook's parameters");
    if (entries.length === 0) entries.push(note ?? "no parameters");
    entries.forEach((entry, i) => {
      const first = i === 0 ? `  ${strategy.padEnd(nameWidth)}` : pad;
      lines.push(...wrapHanging(first, entry, pad, width));
    });
  }
  return lines.join("\n");
}

/** A description's first clause, for a help line: up to its first colon or full stop; lower-cased. */
function brief(description: string): string {
  const clause = description.split(/: |\. /)[0]!.replace(/\.$/, "");
  return clause.charAt(0).toLowerCase() + clause.slice(1);
}

function wrapHanging(first: string, text: string, pad: string, width: number): string[] {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(" ")) {
    const candidate = line.trim() === "" || line === first ? `${line}${word}` : `${line} ${word}`;
    if (candidate.length > width && line !== first && line !== pad) {
      out.push(line);
      line = `${pad}${word}`;
    } else line = candidate;
  }
  out.push(line);
  return out;
}
