import { Chalk } from "chalk";

/** Paints a piece of text; identity when colour is off. */
export type Paint = (text: string) => string;

/**
 * The colours a renderer may use. Renderers take a palette instead of deciding colour themselves,
 * so the decision (stream, NO_COLOR, FORCE_COLOR) is made once, at the edge.
 */
export interface Palette {
  enabled: boolean;
  good: Paint;
  bad: Paint;
  warn: Paint;
  dim: Paint;
  bold: Paint;
  /** One colour per strategy, keyed by strategy name. */
  strategies: Readonly<Record<string, Paint>>;
}

/**
 * Decides whether to colour output written to `stream`. FORCE_COLOR (non-empty, non-zero) wins, as
 * in Node's own `hasColors`; otherwise NO_COLOR, a dumb terminal or a non-TTY stream turn colour
 * off. Empty values count as unset, so a parent can clear either variable for a child process.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

/**
 * Builds a palette on a private Chalk instance: the global chalk detects colour support on its own,
 * which would bypass the decision passed in here. Level 1 (16 colours) covers every colour used.
 */
export function makePalette(enabled: boolean, level: 1 | 2 | 3 = 1): Palette {
  const c = new Chalk({ level: enabled ? level : 0 });
  return {
    enabled,
    good: (t) => c.green(t),
    bad: (t) => c.red(t),
    warn: (t) => c.yellow(t),
    dim: (t) => c.dim(t),
    bold: (t) => c.bold(t),
    strategies: {
      polling: (t) => c.yellow(t),
      "polling-backoff": (t) => c.magenta(t),
      conditional: (t) => c.cyan(t),
      "long-polling": (t) => c.blue(t),
      sse: (t) => c.magentaBright(t),
      webhook: (t) => c.green(t),
      hybrid: (t) => c.blueBright(t),
    },
  };
}

/** The strategy's own colour, the same in every view; unknown names are left plain. */
export function strategyColor(palette: Palette, name: string): Paint {
  return palette.strategies[name] ?? ((t) => t);
}
