/**
 * "Did you mean …?" for the whole tool: unknown scenario fields, enum values, expectation paths.
 * One edit distance, bounded so that a megabyte-long typo costs no more than a short one.
 */

/** Only this many leading characters of each string are compared: no field name comes close. */
export const MAX_COMPARED = 64;

export interface EditCosts {
  /** Replacing a letter by itself in the other case (`Rate` for `rate`). */
  caseChange: number;
  /** Swapping two neighbouring characters (`retires` for `retries`). */
  transposition: number;
}

const UNIT_COSTS: EditCosts = { caseChange: 1, transposition: 1 };

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions) between the first
 * MAX_COMPARED characters of `a` and `b`. Every other edit costs 1. Two rows of memory, and at most
 * MAX_COMPARED² steps whatever the lengths of the inputs.
 */
export function editDistance(a: string, b: string, costs: EditCosts = UNIT_COSTS): number {
  const s = a.length > MAX_COMPARED ? a.slice(0, MAX_COMPARED) : a;
  const t = b.length > MAX_COMPARED ? b.slice(0, MAX_COMPARED) : b;
  const sl = s.toLowerCase();
  const tl = t.toLowerCase();
  let before = new Float64Array(t.length + 1); // row i - 2
  let previous = new Float64Array(t.length + 1); // row i - 1
  let current = new Float64Array(t.length + 1);
  for (let j = 0; j <= t.length; j++) previous[j] = j;
  for (let i = 1; i <= s.length; i++) {
    current[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const substitution = s[i - 1] === t[j - 1] ? 0 : sl[i - 1] === tl[j - 1] ? costs.caseChange : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + substitution);
      if (i > 1 && j > 1 && sl[i - 1] === tl[j - 2] && sl[i - 2] === tl[j - 1]) best = Math.min(best, before[j - 2]! + costs.transposition);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[t.length]!;
}

/** Lowercase, without `-`, `_` and spaces, so `pollingBackoff` and `polling_backoff` meet `polling-backoff`. */
function normalize(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * The candidate nearest to `word`, if it is near enough to be a plausible typo: within a third of
 * the longer name's length in edits, or a prefix of at least four letters (`reconcile` →
 * `reconcileEvery`). A word longer than MAX_COMPARED is nobody's typo and gets no suggestion.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_COMPARED) return undefined;
  const w = normalize(word);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const c = normalize(candidate);
    const distance = editDistance(w, c);
    const limit = Math.max(1, Math.floor(Math.max(w.length, c.length) / 3));
    const prefix = w.length >= 4 && (c.startsWith(w) || w.startsWith(c));
    if (distance > limit && !prefix) continue;
    // Prefer real near-misses over prefix matches.
    const score = distance <= limit ? distance : 1000 + distance;
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
