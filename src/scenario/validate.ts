/**
 * Turns the parsed contents of a scenario file into a resolved Scenario through the declaration,
 * and its first problem into one line: the file (with line and column when the text is known),
 * the field path, the value as written, and the form expected; "did you mean" for a typo.
 * Pure: no I/O. Zod's own messages never reach the user.
 */
import { basename, extname } from "node:path";
import { UsageError } from "../errors.js";
import { declaration } from "./declaration.js";
import { printable, quote, show } from "./echo.js";
import { hasKey, Invalid, isObject, UNKNOWN_KEYS, type Path } from "./field.js";
import { name as nameField } from "./fields.js";
import { nearest } from "./suggest.js";
import type { Scenario } from "./types.js";

/** Where a path sits in the source text: its key, or its value. Undefined when unknown. */
export type Locate = (path: Path, what: "key" | "value") => { line: number; column: number } | undefined;

/** The parts of a zod issue read here. */
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: Issue[][];
  params?: { invalid?: Invalid; otherwise?: Path };
}

/**
 * Validates parsed scenario data and resolves it. `source` names the file in messages (as the user
 * wrote it) and supplies the default name; `locate` adds line:column when the text is at hand.
 */
export function validateScenario(raw: unknown, source: string, locate?: Locate): Scenario {
  const result = declaration.safeParse(raw, { reportInput: true });
  if (result.success) {
    const scenario = result.data;
    if (!(isObject(raw) && hasKey(raw, "name"))) scenario.name = nameFromSource(source);
    return scenario;
  }
  const { message, path, what } = describe(firstProblem(result.error.issues as unknown as Issue[]), raw);
  const at = locate?.(path, what);
  throw new UsageError(`${printable(source)}${at ? `:${at.line}:${at.column}` : ""}: ${message}`);
}

/** The scenario's name when the file gives none: its base name without the extension, if that makes a name. */
function nameFromSource(source: string): string {
  const base = basename(source, extname(source));
  try {
    return nameField.read(base);
  } catch {
    return "scenario";
  }
}

// ---------------------------------------------------------------------------------------------

/** A misspelt key explains the most, so it goes first; then zod's order, which is the file's. */
function firstProblem(issues: Issue[]): Issue {
  const all = issues.flatMap((issue) => expand(issue, []));
  return all.find((i) => i.code === "unrecognized_keys") ?? all[0]!;
}

/**
 * A value that fits no branch of a choice (`"burst"` or `{ "rate": … }`) is explained by the
 * branch of its own type, if one exists: an object with a bad rate is a bad object, not a bad
 * "burst". Otherwise the choice explains itself.
 */
function expand(issue: Issue, prefix: PropertyKey[]): Issue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors) {
    const typeLevel = (i: Issue) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value");
    const branch = issue.errors.find((b) => !b.every(typeLevel));
    if (branch) return branch.flatMap((i) => expand(i, path));
  }
  return [{ ...issue, path }];
}

function describe(issue: Issue, raw: unknown): { message: string; path: Path; what: "key" | "value" } {
  let path = issue.path as Array<string | number>;
  if (issue.code === "unrecognized_keys" && issue.message.startsWith(UNKNOWN_KEYS)) {
    const known = JSON.parse(issue.message.slice(UNKNOWN_KEYS.length)) as string[];
    const key = issue.keys![0]!;
    const guess = nearest(key, known);
    const field = `unknown field "${label([...path, key])}"`;
    const message = guess
      ? `${field}; did you mean "${label([...path, guess])}"?`
      : `${field}; expected ${path.length > 0 ? `in ${label(path)} ` : ""}one of ${known.join(", ")}`;
    return { message, path: [...path, key], what: "key" };
  }
  if (issue.params?.otherwise && valueAt(raw, path) === undefined) path = [...path.slice(0, -1), ...issue.params.otherwise];
  const value = valueAt(raw, path);
  if (path.length === 0) return { message: issue.message, path, what: "value" };
  const parent = path.slice(0, -1);
  const container = valueAt(raw, parent);
  if (value === undefined && isObject(container) && !hasKey(container, String(path.at(-1)))) {
    const where = parent.length > 0 ? label(parent) : "the scenario";
    return { message: `${where} ${show(container)} is missing ${quote(String(path.at(-1)))}`, path: parent, what: "value" };
  }
  const invalid = issue.params?.invalid;
  let tail = issue.message;
  if (invalid) {
    const field = path.slice(0, path.length - invalid.path.length);
    tail = invalid.render((p) => label([...field, ...p]));
  }
  return { message: `${label(path)} ${show(value)} ${tail}`, path, what: "value" };
}

/** `faults.webhook.downtime[1].to`; keys escaped and cut short as any echoed value. */
function label(path: Path): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : `${i > 0 ? "." : ""}${quote(s).slice(1, -1)}`)).join("");
}

function valueAt(raw: unknown, path: Path): unknown {
  let node = raw;
  for (const segment of path) {
    if (typeof segment === "number" ? !Array.isArray(node) : !isObject(node) || !hasKey(node, segment)) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
