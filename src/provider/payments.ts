import { settlementFor, type SettlementRule, type Outcome } from "../scenario/plan.js";
import { timerScheduler, type Clock } from "../measure/clock.js";
import { DueWheel } from "../measure/due-wheel.js";
import { grow } from "../util/grow.js";
import { idOf, type PaymentStatus, type PaymentView } from "../api/payment.js";

/**
 * A payment's `GET /payments/:id` 200 answer as it goes on the wire: the JSON and the header block
 * (a flat name, value list for `writeHead`), made once per state change and shared by every poll
 * until the next one.
 */
export interface PaymentAnswer {
  json: string;
  headers: readonly string[];
  etag: string;
}

/** Payments a store holds before its arrays first grow. */
const INITIAL_CAPACITY = 1024;

const STATUS_CODES: Record<PaymentStatus, number> = { pending: 0, succeeded: 1, failed: 2 };
const STATUS_NAMES: PaymentStatus[] = ["pending", "succeeded", "failed"];

/**
 * Payments and their state machine (pending → succeeded | failed). Per-payment state lives in
 * typed arrays indexed by creation order, so ten thousand payments cost a few hundred kilobytes
 * and ids are derived (`pay_<n>`) rather than stored.
 */
export class PaymentStore {
  private count = 0;
  private amounts = new Float64Array(INITIAL_CAPACITY);
  private status = new Uint8Array(INITIAL_CAPACITY);
  /** Monotonic stamps (ms) for measurement. */
  createdAt = new Float64Array(INITIAL_CAPACITY);
  settledAt = new Float64Array(INITIAL_CAPACITY);
  /** Wall-clock stamps (ms since epoch) for the API's ISO timestamps. */
  private createdWall = new Float64Array(INITIAL_CAPACITY);
  private updatedWall = new Float64Array(INITIAL_CAPACITY);
  private currencies: string[] = [];
  /** Per payment index, what the client attached; only payments created with metadata have an entry, so a run's payments cost nothing more. */
  private readonly metadata = new Map<number, Record<string, string>>();
  /** Characters of every key and value kept, against METADATA_LIMITS.totalChars. */
  metadataChars = 0;
  /** ISO forms of the wall stamps, made once per change rather than on every poll. */
  private createdIso: string[] = [];
  private updatedIso: string[] = [];
  private outcomes = new Uint8Array(INITIAL_CAPACITY);
  /** Each payment's serialised answer once asked for, until its status changes (settle() drops it). */
  private answers: (PaymentAnswer | undefined)[] = [];
  /** Settlements due in the same millisecond share one timer (a burst of 10,000 is 10,000 Timeouts otherwise). */
  private readonly settlements: DueWheel;
  /** Long polls waiting for a payment's status to change, by index. */
  private waiters = new Map<number, Array<() => void>>();

  constructor(
    private readonly rule: SettlementRule,
    private readonly speed: number,
    private readonly clock: Clock,
    private readonly onSettled: (index: number) => void,
  ) {
    this.settlements = new DueWheel(timerScheduler(clock), (index) => this.settle(index, STATUS_NAMES[this.outcomes[index]!] as Outcome));
  }

  get size(): number {
    return this.count;
  }

  create(amount: number, currency: string, metadata?: Record<string, string>): number {
    const index = this.count++;
    if (metadata) {
      this.metadata.set(index, metadata);
      this.metadataChars += metadataChars(metadata);
    }
    if (index >= this.amounts.length) this.grow(index + 1);
    this.amounts[index] = amount;
    this.currencies[index] = currency;
    this.status[index] = STATUS_CODES.pending;
    this.createdAt[index] = this.clock.now();
    this.settledAt[index] = NaN;
    const wall = Date.now();
    this.createdWall[index] = this.updatedWall[index] = wall;
    this.createdIso[index] = this.updatedIso[index] = new Date(wall).toISOString();
    // Filled in order (never a hole), so the array stays packed however many payments there are.
    this.answers[index] = undefined;
    const { delayMs, outcome } = settlementFor(this.rule, index);
    this.outcomes[index] = STATUS_CODES[outcome];
    this.settlements.add(index, this.createdAt[index]! + delayMs / this.speed);
    return index;
  }

  private settle(index: number, outcome: Outcome): void {
    this.status[index] = STATUS_CODES[outcome];
    this.settledAt[index] = this.clock.now();
    const wall = Date.now();
    this.updatedWall[index] = wall;
    this.updatedIso[index] = new Date(wall).toISOString();
    // The cached answer shows the old status: the next read serialises the new one.
    this.answers[index] = undefined;
    this.onSettled(index);
    const waiting = this.waiters.get(index);
    this.waiters.delete(index);
    for (const wake of waiting ?? []) wake();
  }

  /** Resolves when the payment's status next changes (or the store stops). */
  whenChanged(index: number): Promise<void> {
    return new Promise((resolve) => {
      let list = this.waiters.get(index);
      if (!list) this.waiters.set(index, (list = []));
      list.push(resolve);
    });
  }

  /**
   * A strong validator for the payment's representation. Only settlement changes a payment (its
   * status and updated_at together), so the status code identifies the version.
   */
  etagOf(index: number): string {
    return `"${index + 1}.${this.status[index]}"`;
  }

  /** Wall-clock ms of the last change, for `updated_since`. */
  updatedWallOf(index: number): number {
    return this.updatedWall[index]!;
  }

  /** `pay_<n>` → index, or -1. Client-supplied ids are only ever used for this lookup. */
  indexOf(id: string): number {
    // "pay_" and 1 to 10 digits, the first not 0: read by character codes, as a plain poll's path is (see isPlainTarget).
    if (id.length < 5 || id.length > 14 || !id.startsWith("pay_") || id.charCodeAt(4) === 48) return -1;
    let n = 0;
    for (let i = 4; i < id.length; i++) {
      const d = id.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    const index = n - 1;
    return index < this.count ? index : -1;
  }

  statusOf(index: number): PaymentStatus {
    return STATUS_NAMES[this.status[index]!]!;
  }

  view(index: number): PaymentView {
    return {
      id: idOf(index),
      object: "payment",
      amount: this.amounts[index]!,
      currency: this.currencies[index]!,
      status: this.statusOf(index),
      created_at: this.createdIso[index]!,
      updated_at: this.updatedIso[index]!,
      ...(this.metadata.size > 0 && this.metadata.has(index) ? { metadata: { ...this.metadata.get(index)! } } : {}),
    };
  }

  /**
   * The 200 answer to `GET /payments/:id`, serialised on the first read after a change and reused
   * until the next: a payment polled every second while pending is stringified once, not per poll.
   */
  answer(index: number): PaymentAnswer {
    const cached = this.answers[index];
    if (cached !== undefined) return cached;
    const json = JSON.stringify(this.view(index));
    const etag = this.etagOf(index);
    const made: PaymentAnswer = { json, etag, headers: ["content-type", "application/json", "content-length", String(Buffer.byteLength(json)), "etag", etag] };
    this.answers[index] = made;
    return made;
  }

  /** Stops pending settlements (the run is over). */
  stop(): void {
    this.settlements.stop();
    for (const list of this.waiters.values()) for (const wake of list) wake();
    this.waiters.clear();
  }

  private grow(needed: number): void {
    this.amounts = grow(this.amounts, needed);
    this.status = grow(this.status, needed);
    this.outcomes = grow(this.outcomes, needed);
    this.createdAt = grow(this.createdAt, needed);
    this.settledAt = grow(this.settledAt, needed);
    this.createdWall = grow(this.createdWall, needed);
    this.updatedWall = grow(this.updatedWall, needed);
  }
}

/** Characters of a metadata object's keys and values. */
export function metadataChars(metadata: Record<string, string>): number {
  let n = 0;
  for (const key in metadata) n += key.length + metadata[key]!.length;
  return n;
}
