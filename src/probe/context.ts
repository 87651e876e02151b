import type { SignatureFormat } from "../scenario/types.js";
import type { Deliveries, ProbeRequest } from "./deliveries.js";
import type { ObserveAnswer } from "./observe.js";
import type { CheckName, ProbeCheck } from "../contract/probe.js";
import type { Answer } from "./wire.js";

/** A 429 or 503 answer met during the run, for the `retry-after` check. */
export interface Throttle {
  check: CheckName;
  request: ProbeRequest;
  answer: Extract<Answer, { kind: "answered" }>;
}

/** What a check may use: the runner owns the sockets, the pacing and the counting. */
export interface ProbeContext {
  deliveries: Deliveries;
  signature: SignatureFormat;
  timeoutMs: number;
  /** `--deliveries`: how many valid deliveries `slow-path` sends. */
  deliveryCount: number;
  /** `--concurrency`: how many deliveries `burst` sends at once. */
  concurrency: number;
  /** One delivery, paced and counted. */
  send(request: ProbeRequest): Promise<Answer>;
  /** All at once, each on its own connection, not paced. */
  burst(requests: ProbeRequest[]): Promise<Answer[]>;
  /** Asks the `--observe` endpoint about an event; absent without `--observe`. */
  observe?: (eventId: string) => Promise<ObserveAnswer>;
  /** 429 and 503 answers met so far, in order. */
  throttled: readonly Throttle[];
  signal?: AbortSignal;
}

/** A check's findings; the runner adds the name. */
export type Finding = Omit<ProbeCheck, "name">;

export type Check = (ctx: ProbeContext) => Promise<Finding>;
