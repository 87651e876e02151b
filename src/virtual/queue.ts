/**
 * A binary min-heap of events keyed by time, for the virtual clock. Events at the same time pop
 * in the order they were pushed (a sequence number breaks ties), so a simulation is a pure
 * function of its inputs. Entries live in parallel typed arrays and `pop()` copies the smallest
 * into the `time`/`kind`/`payment` fields: a million pending events cost no objects.
 */
export class EventQueue {
  private times: Float64Array;
  private seqs: Float64Array;
  private kinds: Uint8Array;
  private payments: Int32Array;
  private count = 0;
  private nextSeq = 0;

  /** The event `pop()` last returned. */
  time = 0;
  kind = 0;
  payment = 0;

  constructor(capacity = 1024) {
    const n = Math.max(16, capacity);
    this.times = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.kinds = new Uint8Array(n);
    this.payments = new Int32Array(n);
  }

  get size(): number {
    return this.count;
  }

  /** The earliest pending time, or Infinity when empty. */
  peekTime(): number {
    return this.count > 0 ? this.times[0]! : Infinity;
  }

  push(time: number, kind: number, payment: number): void {
    if (this.count === this.times.length) this.grow();
    const seq = this.nextSeq++;
    // Sift up: move parents down until the new entry's slot is found.
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(time, seq, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, time, seq, kind, payment);
  }

  /** Removes the earliest event into `time`/`kind`/`payment`; false when the queue is empty. */
  pop(): boolean {
    if (this.count === 0) return false;
    this.time = this.times[0]!;
    this.kind = this.kinds[0]!;
    this.payment = this.payments[0]!;
    const last = --this.count;
    if (last === 0) return true;
    const t = this.times[last]!;
    const s = this.seqs[last]!;
    const k = this.kinds[last]!;
    const p = this.payments[last]!;
    // Sift the last entry down from the root.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && this.earlier(right, left) ? right : left;
      if (!this.lessThan(child, t, s)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, t, s, k, p);
    return true;
  }

  /** Whether (time, seq) sorts before the entry at slot j. */
  private before(time: number, seq: number, j: number): boolean {
    const tj = this.times[j]!;
    return time < tj || (time === tj && seq < this.seqs[j]!);
  }

  /** Whether the entry at slot j sorts before (time, seq). */
  private lessThan(j: number, time: number, seq: number): boolean {
    const tj = this.times[j]!;
    return tj < time || (tj === time && this.seqs[j]! < seq);
  }

  private earlier(a: number, b: number): boolean {
    return this.lessThan(a, this.times[b]!, this.seqs[b]!);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.kinds[to] = this.kinds[from]!;
    this.payments[to] = this.payments[from]!;
  }

  private set(i: number, time: number, seq: number, kind: number, payment: number): void {
    this.times[i] = time;
    this.seqs[i] = seq;
    this.kinds[i] = kind;
    this.payments[i] = payment;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    const seqs = new Float64Array(n);
    const kinds = new Uint8Array(n);
    const payments = new Int32Array(n);
    times.set(this.times);
    seqs.set(this.seqs);
    kinds.set(this.kinds);
    payments.set(this.payments);
    this.times = times;
    this.seqs = seqs;
    this.kinds = kinds;
    this.payments = payments;
  }
}
