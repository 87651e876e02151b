/**
 * JSON text: parsing with a one-line message at the line and column where the text goes wrong,
 * for every message V8 gives, including those that carry no position.
 */
import { UsageError } from "../errors.js";
import { printable } from "./echo.js";

export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const fromMessage = /at position (\d+)/.exec(err.message);
    const offset = fromMessage ? Number(fromMessage[1]) : (jsonErrorOffset(text) ?? text.length);
    const { line, column } = lineColumn(text, offset);
    throw new UsageError(`${printable(source)}:${line}:${column}: malformed JSON: ${cleanJsonMessage(err.message)}`);
  }
}

/** V8's message without the position (we give line:column) and without the echoed input. */
function cleanJsonMessage(message: string): string {
  const echoed = /^(Unexpected token '[\s\S]*?'), [\s\S]* is not valid JSON$/.exec(message);
  if (echoed) return echoed[1]!.replace(/\s+/g, " ");
  return message
    .replace(/\s+in JSON at position \d+.*$/s, "")
    .replace(/\s+at position \d+.*$/s, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** 1-based line and column of a UTF-16 offset; `\r\n` counts as one line break. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Where a JSON text first goes wrong, for the V8 messages that carry no position
 * ("Unexpected token 'x', … is not valid JSON", "Unexpected end of JSON input"). Undefined if it
 * parses. Recursive descent: load.ts refuses text nested deeper than MAX_SCENARIO_DEPTH first.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  class Stop {
    constructor(readonly at: number) {}
  }
  const stop = (at = i): never => {
    throw new Stop(at);
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) stop(i + k);
    i += word.length;
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) stop();
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch < 0x20) stop();
      if (ch === 0x5c) {
        const esc = text[i + 1];
        if (esc === "u") {
          for (let k = 2; k < 6; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) stop(i + k);
          i += 6;
        } else if (esc !== undefined && "\"\\/bfnrt".includes(esc)) i += 2;
        else stop(i + 1);
      } else i++;
    }
  };
  const digits = () => {
    if (!(text[i]! >= "0" && text[i]! <= "9")) stop();
    while (text[i]! >= "0" && text[i]! <= "9") i++;
  };
  const number = () => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else digits();
    if (text[i] === ".") {
      i++;
      digits();
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      digits();
    }
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === undefined) stop();
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') stop();
        string();
        ws();
        if (text[i] !== ":") stop();
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        stop();
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        stop();
      }
    }
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch >= "0" && ch <= "9")) return number();
    stop();
  };
  try {
    value();
    ws();
    if (i < text.length) stop();
    return undefined;
  } catch (err) {
    if (err instanceof Stop) return err.at;
    throw err;
  }
}
