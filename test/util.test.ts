import { describe, expect, it } from "vitest";
import { Rng } from "../src/scenario/random.js";
import { grow } from "../src/util/grow.js";
import { MinHeap } from "../src/util/heap.js";

describe("grow", () => {
  it("returns the array itself while it is big enough, else a copy at least twice as long, contents kept and the rest zero", () => {
    const a = Uint16Array.from([1, 2, 3]);
    expect(grow(a, 3)).toBe(a);
    const b = grow(a, 4);
    expect(b).toBeInstanceOf(Uint16Array);
    expect(b.length).toBe(16);
    expect([...b.subarray(0, 5)]).toEqual([1, 2, 3, 0, 0]);
    const c = grow(new Float64Array(100).fill(0.5), 101);
    expect(c.length).toBe(200);
    expect(c[99]).toBe(0.5);
    expect(grow(new Int32Array(20), 1000).length).toBe(1000);
  });
});

describe("MinHeap", () => {
  it("pops keys in order with their values, ties in push order, across growth and clear", () => {
    const h = new MinHeap(1);
    expect(h.peekKey()).toBe(Infinity);
    expect(h.pop()).toBe(false);
    const rng = new Rng(3);
    const pushed: Array<[number, number]> = [];
    for (let v = 0; v < 500; v++) {
      const key = Math.floor(rng.next() * 40);
      pushed.push([key, v]);
      h.push(key, v);
    }
    expect(h.size).toBe(500);
    expect(h.peekKey()).toBe(Math.min(...pushed.map(([k]) => k)));
    const popped: Array<[number, number]> = [];
    while (h.pop()) popped.push([h.key, h.value]);
    // A stable sort by key is exactly the order a stable heap pops in.
    expect(popped).toEqual([...pushed].sort((a, b) => a[0] - b[0]));
    h.push(2);
    h.push(1);
    h.clear();
    expect(h.size).toBe(0);
    h.push(7, 70);
    expect(h.pop() && [h.key, h.value]).toEqual([7, 70]);
  });
});
