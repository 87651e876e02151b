import { MinHeap } from "../util/heap.js";

/** Kinds are small integers; a payment and its event's kind travel packed in one heap value. */
const KINDS = 256;

/**
 * The virtual clock's event queue: events keyed by time on the shared MinHeap, so events at the
 * same time pop in the order they were pushed and a simulation is a pure function of its inputs.
 * `pop()` copies the earliest into the `time`/`kind`/`payment` fields: a million pending events
 * cost no objects.
 */
export class EventQueue {
  private readonly heap: MinHeap;

  /** The event `pop()` last returned. */
  time = 0;
  kind = 0;
  payment = 0;

  constructor(capacity = 1024) {
    this.heap = new MinHeap(capacity);
  }

  get size(): number {
    return this.heap.size;
  }

  /** The earliest pending time, or Infinity when empty. */
  peekTime(): number {
    return this.heap.peekKey();
  }

  /** `kind` from 0 to 255, `payment` a non-negative index. */
  push(time: number, kind: number, payment: number): void {
    this.heap.push(time, payment * KINDS + kind);
  }

  /** Removes the earliest event into `time`/`kind`/`payment`; false when the queue is empty. */
  pop(): boolean {
    if (!this.heap.pop()) return false;
    const packed = this.heap.value;
    this.time = this.heap.key;
    this.payment = Math.floor(packed / KINDS);
    this.kind = packed - this.payment * KINDS;
    return true;
  }
}
