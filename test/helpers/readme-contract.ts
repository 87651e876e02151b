/**
 * The README's JSON contract block (the ```text block under "### The JSON contract (`--format
 * json`)"), parsed into the fields it documents. Its grammar, as written there:
 *   object  := "{" [ member ("," member)* ] "}"       a member "…" means: more, undocumented
 *   member  := string [ ":" value ] | "…"             a bare "key" documents a field of any value
 *   value   := object | "[" [ value | "…" ] "]" | scalar ("|" (scalar | "…"))* | "…"
 *   scalar  := string | number | true | false | null
 * A `// comment` runs to the end of its line; comments are returned with their line numbers.
 */

export type Shape =
  | { kind: "any" }
  | { kind: "scalar"; type: "number" | "string" | "boolean" | "object" }
  | { kind: "object"; fields: DocField[]; open: boolean }
  | { kind: "array"; item: Shape | null };

export interface DocField {
  key: string;
  /** `strategies[].requests.total` */
  path: string;
  line: number;
  shape: Shape;
}

export interface Contract {
  root: Shape;
  /** Every documented field, in document order. */
  fields: DocField[];
  comments: Array<{ line: number; text: string }>;
}

interface Token {
  kind: "punct" | "string" | "scalar" | "more";
  text: string;
  line: number;
}

export function contractBlock(readme: string): string {
  const heading = readme.indexOf("### The JSON contract (`--format json`)");
  if (heading < 0) throw new Error('README.md has no "### The JSON contract (`--format json`)" section');
  const open = readme.indexOf("```text\n", heading);
  const close = readme.indexOf("\n```", open + 8);
  if (open < 0 || close < 0) throw new Error("README.md's JSON contract section has no ```text block");
  return readme.slice(open + 8, close + 1);
}

function tokenize(text: string): { tokens: Token[]; comments: Array<{ line: number; text: string }> } {
  const tokens: Token[] = [];
  const comments: Array<{ line: number; text: string }> = [];
  let line = 1;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      comments.push({ line, text: text.slice(i + 2, end < 0 ? undefined : end).trim() });
      i = end < 0 ? text.length : end;
    } else if ("{}[]:,|".includes(c)) {
      tokens.push({ kind: "punct", text: c, line });
      i++;
    } else if (c === "…") {
      tokens.push({ kind: "more", text: c, line });
      i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      tokens.push({ kind: "string", text: text.slice(i + 1, end), line });
      i = end + 1;
    } else {
      const m = /^[\w.+-]+/.exec(text.slice(i));
      if (!m) throw new Error(`README JSON contract, line ${line}: cannot read ${JSON.stringify(text.slice(i, i + 20))}`);
      tokens.push({ kind: "scalar", text: m[0], line });
      i += m[0].length;
    }
  }
  return { tokens, comments };
}

export function parseContract(text: string): Contract {
  const { tokens, comments } = tokenize(text);
  const fields: DocField[] = [];
  let at = 0;
  const peek = () => tokens[at];
  const fail = (what: string): never => {
    const t = peek();
    throw new Error(`README JSON contract, line ${t?.line ?? "end"}: expected ${what}, found ${t ? JSON.stringify(t.text) : "the end"}`);
  };
  const take = (text: string) => (peek()?.text === text && peek()?.kind === "punct" ? (at++, true) : false);
  const scalarType = (t: Token): "number" | "string" | "boolean" | "object" =>
    t.kind === "string" ? "string" : t.text === "true" || t.text === "false" ? "boolean" : t.text === "null" ? "object" : Number.isFinite(Number(t.text)) ? "number" : fail("a value");

  function value(path: string): Shape {
    const t = peek() ?? fail("a value");
    if (take("{")) return object(path);
    if (take("[")) {
      let item: Shape | null = null;
      if (peek()?.kind === "more") at++;
      else if (peek()?.text !== "]") item = value(`${path}[]`);
      if (!take("]")) fail('"]"');
      return { kind: "array", item };
    }
    if (t.kind === "more") {
      at++;
      return { kind: "any" };
    }
    if (t.kind !== "string" && t.kind !== "scalar") fail("a value");
    at++;
    const type = scalarType(t);
    while (take("|")) {
      const alt = peek() ?? fail("an alternative");
      if (alt.kind !== "more" && scalarType(alt) !== type) fail(`another ${type}`);
      at++;
    }
    return { kind: "scalar", type };
  }

  function object(path: string): Shape {
    const own: DocField[] = [];
    let open = false;
    while (!take("}")) {
      const t = peek() ?? fail('"}"');
      if (t.kind === "more") {
        at++;
        open = true;
      } else if (t.kind === "string") {
        at++;
        const fieldPath = path ? `${path}.${t.text}` : t.text;
        const field: DocField = { key: t.text, path: fieldPath, line: t.line, shape: { kind: "any" } };
        fields.push(field);
        if (take(":")) field.shape = value(fieldPath);
        own.push(field);
      } else fail("a field name");
      if (!take(",") && peek()?.text !== "}") fail('"," or "}"');
    }
    return { kind: "object", fields: own, open };
  }

  if (!take("{")) fail('"{"');
  const root = object("");
  if (at !== tokens.length) fail("the end of the block");
  return { root, fields, comments };
}
