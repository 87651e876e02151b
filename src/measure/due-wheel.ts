import { MinHeap } from "../util/heap.js";
import type { Cancel, Scheduler } from "./clock.js";

/**
 * One timer for every poll due in the same millisecond, instead of one timer per payment: at
 * 10,000 payments polled every second that is at most 1,000 timer wake-ups a second, however many
 * payments share them, and no timer object per poll. Entries are small integers (payment slots),
 * so a due poll costs one array push. Never fires early: a poll due at 12.3 ms fires at 13 ms or later.
 */
export class DueWheel {
  private readonly buckets = new Map<number, number[]>();
  /** Bucket keys (whole ms on the clock), earliest first. */
  private readonly keys = new MinHeap();
  private cancel: Cancel | undefined;
  private armedFor = Infinity;
  private stopped = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly fire: (slot: number) => void,
  ) {}

  add(slot: number, due: number): void {
    if (this.stopped) return;
    const key = Math.ceil(due);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      this.buckets.set(key, (bucket = []));
      this.keys.push(key);
    }
    bucket.push(slot);
    if (key < this.armedFor) this.arm(key);
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.buckets.clear();
    this.keys.clear();
  }

  private arm(key: number): void {
    this.cancel?.();
    this.armedFor = key;
    this.cancel = this.scheduler.at(key, this.tick);
  }

  private readonly tick = (): void => {
    this.cancel = undefined;
    this.armedFor = Infinity;
    const now = this.scheduler.now();
    while (!this.stopped && this.keys.peekKey() <= now) {
      this.keys.pop();
      const key = this.keys.key;
      const bucket = this.buckets.get(key)!;
      this.buckets.delete(key);
      for (let i = 0; i < bucket.length; i++) this.fire(bucket[i]!);
    }
    if (!this.stopped && this.keys.size > 0) this.arm(this.keys.peekKey());
  };
}
