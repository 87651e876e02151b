import { settlementFor, type SettlementRule, type Outcome } from "../scenario/plan.js";
import type { Clock } from "../measure/clock.js";

export type PaymentStatus = "pending" | Outcome;

/** The payment as the API shows it. */
export interface PaymentView {
  id: string;
  object: "payment";
  amount: number;
  currency: string;
  status: PaymentStatus;
  created_at: string;
  updated_at: string;
}

const STATUS_CODES: Record<PaymentStatus, number> = { pending: 0, succeeded: 1, failed: 2 };
const STATUS_NAMES: PaymentStatus[] = ["pending", "succeeded", "failed"];

/**
 * Payments and their state machine (pending → succeeded | failed). Per-payment state lives in
 * typed arrays indexed by creation order, so ten thousand payments cost a few hundred kilobytes
 * and ids are derived (`pay_<n>`) rather than stored.
 */
export class PaymentStore {
  private capacity = 1024;
  private count = 0;
  private amounts = new Float64Array(this.capacity);
  private status = new Uint8Array(this.capacity);
  /** Monotonic stamps (ms) for measurement. */
  createdAt = new Float64Array(this.capacity);
  settledAt = new Float64Array(this.capacity);
  /** Wall-clock stamps (ms since epoch) for the API's ISO timestamps. */
  private createdWall = new Float64Array(this.capacity);
  private updatedWall = new Float64Array(this.capacity);
  private currencies: string[] = [];
  private timers = new Set<NodeJS.Timeout>();
  /** Long polls waiting for a payment's status to change, by index. */
  private waiters = new Map<number, Array<() => void>>();

  constructor(
    private readonly rule: SettlementRule,
    private readonly speed: number,
    private readonly clock: Clock,
    private readonly onSettled: (index: number) => void,
  ) {}

  get size(): number {
    return this.count;
  }

  create(amount: number, currency: string): number {
    const index = this.count++;
    if (index >= this.capacity) this.grow();
    this.amounts[index] = amount;
    this.currencies[index] = currency;
    this.status[index] = STATUS_CODES.pending;
    this.createdAt[index] = this.clock.now();
    this.settledAt[index] = NaN;
    this.createdWall[index] = this.updatedWall[index] = Date.now();
    const { delayMs, outcome } = settlementFor(this.rule, index);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.settle(index, outcome);
    }, delayMs / this.speed);
    this.timers.add(timer);
    return index;
  }

  private settle(index: number, outcome: Outcome): void {
    this.status[index] = STATUS_CODES[outcome];
    this.settledAt[index] = this.clock.now();
    this.updatedWall[index] = Date.now();
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
    if (!id.startsWith("pay_")) return -1;
    const digits = id.slice(4);
    if (!/^[1-9]\d{0,9}$/.test(digits)) return -1;
    const index = Number(digits) - 1;
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
      created_at: new Date(this.createdWall[index]!).toISOString(),
      updated_at: new Date(this.updatedWall[index]!).toISOString(),
    };
  }

  /** Stops pending settlements (the run is over). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const list of this.waiters.values()) for (const wake of list) wake();
    this.waiters.clear();
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <T extends Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(this.capacity);
      b.set(a);
      return b;
    };
    this.amounts = grow(this.amounts);
    this.status = grow(this.status);
    this.createdAt = grow(this.createdAt);
    this.settledAt = grow(this.settledAt);
    this.createdWall = grow(this.createdWall);
    this.updatedWall = grow(this.updatedWall);
  }
}

export function idOf(index: number): string {
  return `pay_${index + 1}`;
}
