/**
 * Reads a scenario file (JSON or YAML) within its size and nesting limits, reports syntax errors
 * with line and column, and hands the parsed data to validateScenario, which can then point at
 * the line and column of the field at fault too.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { extname } from "node:path";
import { Lexer, parseDocument, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from "yaml";
import { UsageError } from "../errors.js";
import { printable } from "./echo.js";
import { lineColumn, parseJson } from "./json-text.js";
import type { Path } from "./field.js";
import type { Scenario } from "./types.js";
import { validateScenario, type Locate } from "./validate.js";

export type ScenarioFormat = "json" | "yaml";

/** A scenario is a few hundred bytes; a megabyte is generous, and refuses /dev/zero and its kind. */
export const MAX_SCENARIO_BYTES = 1 << 20;
/** A scenario nests five deep (faults.webhook.downtime[0].from); deeper than this is not a scenario. */
export const MAX_SCENARIO_DEPTH = 32;

/** `.json` is JSON; `.yaml`, `.yml` and names without an extension are YAML (which also reads JSON). */
export function formatOf(path: string): ScenarioFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".yaml" || ext === ".yml" || ext === "") return "yaml";
  throw new UsageError(`scenario file "${printable(path)}" must end in .json, .yaml or .yml`);
}

/** Reads, parses and validates a scenario file. Every problem is a one-line UsageError naming the file. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  const format = formatOf(path);
  return parseScenarioText(await readScenarioText(path), path, format);
}

/**
 * Line and column of the value at each of `paths` in a scenario file (`["expect", 2]`), for
 * annotations that point at a field; undefined where the path is not in the file. The file is
 * read again, within the same limits; a file that cannot be read gives no positions.
 */
export async function fieldPositions(path: string, paths: Path[]): Promise<Array<{ line: number; column: number } | undefined>> {
  let text: string;
  try {
    text = await readScenarioText(path);
  } catch {
    return paths.map(() => undefined);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (flowDepthExceeded(body) !== undefined) return paths.map(() => undefined);
  const doc = parseDocument(body, { uniqueKeys: false });
  return paths.map((p) => position(body, doc, p, "value"));
}

/**
 * The file's text, refused before it is read whole when it is not a regular file (a device such
 * as /dev/zero, a pipe, a socket) or is larger than MAX_SCENARIO_BYTES.
 */
async function readScenarioText(path: string): Promise<string> {
  const shown = `scenario file "${printable(path)}"`;
  let file;
  try {
    // Non-blocking, so that opening a named pipe with no writer returns instead of waiting for one.
    file = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`${shown} not found`);
    if (code === "EISDIR") throw new UsageError(`${shown} is a directory; expected a .json, .yaml or .yml file`);
    if (code === "EACCES" || code === "EPERM") throw new UsageError(`${shown} cannot be read: permission denied`);
    throw new UsageError(`${shown} cannot be read (${code ?? (err as Error).message})`);
  }
  try {
    const stat = await file.stat();
    if (stat.isDirectory()) throw new UsageError(`${shown} is a directory; expected a .json, .yaml or .yml file`);
    if (!stat.isFile()) throw new UsageError(`${shown} is not a regular file (a device, pipe or socket); expected a .json, .yaml or .yml file`);
    const limit = `scenario files are at most 1 MiB (${MAX_SCENARIO_BYTES.toLocaleString("en-US")} bytes)`;
    if (stat.size > MAX_SCENARIO_BYTES) throw new UsageError(`${shown} is ${stat.size.toLocaleString("en-US")} bytes; ${limit}`);
    // Read one byte past the limit, in case the file grew since stat.
    const buffer = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0 || (length += bytesRead) === buffer.length) break;
    }
    if (length > MAX_SCENARIO_BYTES) throw new UsageError(`${shown} grew past the limit while being read; ${limit}`);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, length));
    } catch {
      throw new UsageError(`${shown} is not UTF-8 text; expected a .json, .yaml or .yml file`);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${shown} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    await file.close();
  }
}

/** Parses scenario text in the given format and validates it; `source` names the file in messages. */
export async function parseScenarioText(text: string, source: string, format: ScenarioFormat): Promise<Scenario> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") throw new UsageError(`${printable(source)}: the scenario file is empty; expected an object of fields such as "payments" and "webhook"`);
  const tooDeep = (at: { line: number; column: number } | undefined) =>
    new UsageError(`${printable(source)}${at ? `:${at.line}:${at.column}` : ""}: nested deeper than ${MAX_SCENARIO_DEPTH} levels; a scenario needs at most 5`);
  // Before parsing: both parsers recurse, and a deep enough document exhausts the stack or the heap.
  const deepAt = flowDepthExceeded(body);
  if (deepAt !== undefined) throw tooDeep(lineColumn(body, deepAt));
  let raw: unknown;
  let locate: Locate;
  if (format === "json") {
    raw = parseJson(body, source);
    let doc: Document | undefined;
    // Positions only matter for an error: parse the text again as YAML (a superset of JSON) then.
    locate = (path, what) => position(body, (doc ??= parseDocument(body, { uniqueKeys: false })), path, what);
  } else {
    const doc = parseYaml(body, source);
    raw = doc.raw;
    locate = (path, what) => position(body, doc.doc, path, what);
  }
  // Block-style YAML nests by indentation, which the flow scan does not see.
  const deepPath = depthExceeded(raw);
  if (deepPath !== undefined) throw tooDeep(locate(deepPath, "value"));
  return validateScenario(raw, source, locate);
}

/** The offset of the first `[` or `{` that opens level MAX_SCENARIO_DEPTH + 1, strings and comments skipped (JSON and YAML alike). */
function flowDepthExceeded(text: string): number | undefined {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === "[" || token === "{") {
      if (++depth > MAX_SCENARIO_DEPTH) return offset;
    } else if (token === "]" || token === "}") depth--;
    // The lexer's own markers (document start, scalar, flow end) take no room in the text.
    if (!(token.length === 1 && (token === "\x02" || token === "\x18" || token === "\x1f"))) offset += token.length;
  }
  return undefined;
}

/** The path of a value nested deeper than MAX_SCENARIO_DEPTH, found without recursion. */
function depthExceeded(raw: unknown): Path | undefined {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: raw, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (path.length >= MAX_SCENARIO_DEPTH) return path;
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: [...path, key] });
  }
  return undefined;
}

/** Line and column of the node at `path` (or of its key), or of the nearest enclosing node found. */
function position(text: string, doc: Document, path: Path, what: "key" | "value"): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let at: number | undefined = (node as YamlNode | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    if (isMap(node)) {
      // The last pair wins, as JSON.parse keeps the last of duplicate keys.
      const pair = [...node.items].reverse().find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) break;
      if (i === path.length - 1 && what === "key") return isScalar(pair.key) && pair.key.range ? lineColumn(text, pair.key.range[0]) : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") node = node.items[segment];
    else break;
    at = (node as YamlNode | null)?.range?.[0] ?? at;
  }
  return at === undefined ? undefined : lineColumn(text, at);
}

// ---------------------------------------------------------------------------------------------
// YAML

/**
 * YAML reads numbers as JSON does: `0x1f`, `0o17`, `.inf` and `.nan` stay strings (and are
 * refused where a number belongs), as a JSON file could not write them either.
 */
const jsonNumbers = (tags: Array<{ format?: string; test?: RegExp }>) => tags.filter((t) => t.format !== "HEX" && t.format !== "OCT" && !String(t.test).includes("nan"));

function parseYaml(text: string, source: string): { raw: unknown; doc: Document } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, customTags: jsonNumbers as never });
  const error = doc.errors[0];
  if (error) {
    const { line, column } = lineColumn(text, error.pos[0]);
    const message = error.message.split("\n")[0]!.replace(/\s+at line \d+, column \d+:?\s*$/, "").trim();
    throw new UsageError(`${printable(source)}:${line}:${column}: malformed YAML: ${message}`);
  }
  try {
    return { raw: doc.toJS({ maxAliasCount: 100 }), doc };
  } catch (err) {
    throw new UsageError(`${printable(source)}: malformed YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}
