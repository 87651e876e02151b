import { grow } from "./grow.js";

/**
 * A binary min-heap of (key, value) pairs in parallel typed arrays: no object per entry, so a
 * million pending entries cost a few megabytes. Equal keys pop in the order they were pushed (a
 * sequence number breaks ties), so whatever is built on it is a pure function of its inputs.
 * `pop()` leaves what it removed in `key` and `value`. Values are numbers; pack small tuples into
 * one (an event's kind and payment, say) where needed.
 */
export class MinHeap {
  private keys: Float64Array;
  private seqs: Float64Array;
  private values: Float64Array;
  private count = 0;
  private nextSeq = 0;

  /** The entry `pop()` last removed. */
  key = 0;
  value = 0;

  constructor(capacity = 16) {
    const n = Math.max(16, capacity);
    this.keys = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.values = new Float64Array(n);
  }

  get size(): number {
    return this.count;
  }

  /** The smallest key, or Infinity when empty. */
  peekKey(): number {
    return this.count > 0 ? this.keys[0]! : Infinity;
  }

  clear(): void {
    this.count = 0;
  }

  push(key: number, value = 0): void {
    if (this.count === this.keys.length) {
      const needed = this.count + 1;
      this.keys = grow(this.keys, needed);
      this.seqs = grow(this.seqs, needed);
      this.values = grow(this.values, needed);
    }
    const seq = this.nextSeq++;
    const keys = this.keys;
    const seqs = this.seqs;
    // Sift up: move parents down until the new entry's slot is found.
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const kp = keys[parent]!;
      if (kp < key || (kp === key && seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    keys[i] = key;
    seqs[i] = seq;
    this.values[i] = value;
  }

  /** Removes the smallest entry into `key`/`value`; false when the heap is empty. */
  pop(): boolean {
    if (this.count === 0) return false;
    const keys = this.keys;
    const seqs = this.seqs;
    this.key = keys[0]!;
    this.value = this.values[0]!;
    const last = --this.count;
    if (last === 0) return true;
    const k = keys[last]!;
    const s = seqs[last]!;
    const v = this.values[last]!;
    // Sift the last entry down from the root.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      let child = left;
      if (right < last) {
        const kr = keys[right]!;
        const kl = keys[left]!;
        if (kr < kl || (kr === kl && seqs[right]! < seqs[left]!)) child = right;
      }
      const kc = keys[child]!;
      if (kc > k || (kc === k && seqs[child]! > s)) break;
      this.move(child, i);
      i = child;
    }
    keys[i] = k;
    seqs[i] = s;
    this.values[i] = v;
    return true;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.values[to] = this.values[from]!;
  }
}
