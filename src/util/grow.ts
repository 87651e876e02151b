/** The typed arrays the tool keeps per-payment (or per-entry) state in. */
export type GrowableArray = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * `array` itself when it holds `needed` entries, else a copy with room for them (at least twice
 * the length, so n pushes cost O(n) copies), the old entries kept and the new ones zero. State
 * lives in typed arrays so a million entries cost no object each; this is the one place they grow.
 */
export function grow<T extends GrowableArray>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(needed, array.length * 2, 16));
  bigger.set(array);
  return bigger;
}
