/**
 * How a value a user gave appears in an error message: on one line, quoted, control characters
 * escaped (a key holding an escape sequence must not repaint the terminal), and cut to a length
 * a reader can take in. A megabyte-long value is echoed as its first 40 characters and `…`.
 */
export const MAX_ECHO = 40;

/** Characters JSON.stringify leaves alone that still move the cursor, reorder text or end a line. */
const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeUnsafe(json: string): string {
  return json.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `"text"`, escaped, at most MAX_ECHO characters of `text` (then `…` inside the quotes). */
export function quote(text: string): string {
  const cut = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text;
  return escapeUnsafe(JSON.stringify(cut));
}

/** A value as an error message shows it: strings quoted, numbers bare, objects as compact JSON, all cut short. */
export function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? "[…]" : "{…}";
  }
  return escapeUnsafe(text.length > 80 ? `${text.slice(0, 79)}…` : text);
}

/** `text` with the characters that would act on a terminal escaped, and nothing cut: for paths as given. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
