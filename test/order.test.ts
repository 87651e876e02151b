import { describe, expect, it } from "vitest";
import { orderBy } from "../src/util/order.js";
import { Rng } from "../src/scenario/random.js";

/** The definition orderBy keeps: indices by key, ties by index. */
function byComparator(keys: Float64Array): Uint32Array {
  const order = Uint32Array.from({ length: keys.length }, (_, i) => i);
  return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

describe("orderBy", () => {
  const rng = new Rng(3);
  const cases: [string, number[]][] = [
    ["empty", []],
    ["one", [5]],
    ["all equal (a burst with a fixed delay)", Array(500).fill(1500)],
    ["uniform", Array.from({ length: 5000 }, () => rng.next() * 4000)],
    ["ties on a coarse grid", Array.from({ length: 5000 }, () => Math.floor(rng.next() * 40) * 250)],
    ["heavy tail (most in the first bucket, some far out)", Array.from({ length: 5000 }, () => Math.exp(rng.next() * 30))],
    ["descending", Array.from({ length: 3000 }, (_, i) => 3000 - i)],
    ["neighbouring floats", Array.from({ length: 200 }, (_, i) => 1 + (i % 7) * Number.EPSILON)],
    ["an infinity", [3, Infinity, 1, 2]],
    ["negative and positive", Array.from({ length: 1000 }, () => (rng.next() - 0.5) * 1e6)],
  ];
  it.each(cases)("sorts %s as the comparator does", (_what, values) => {
    const keys = Float64Array.from(values);
    expect(Array.from(orderBy(keys))).toEqual(Array.from(byComparator(keys)));
  });
});
