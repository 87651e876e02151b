/**
 * A hand-built event stream shaped like a real run of 3 payments, polling then webhook, at speed 1
 * on a monotonic clock starting at 1,000 ms: what the live view and the trace render from.
 */
import type { ConsumerEvent, ProviderEvent, RunEvent } from "../../src/contract/events.js";
import type { StrategyResult } from "../../src/contract/result.js";
import type { StrategyName } from "../../src/scenario/types.js";
import { polling as pollingResult, webhook as webhookResult } from "../render-fixtures.js";

const provider = (strategy: StrategyName, ...events: ProviderEvent[]): RunEvent => ({ kind: "provider", strategy, events });
const consumer = (event: ConsumerEvent): RunEvent => ({ kind: "consumer", event });
const poll = (id: string, at: number, paymentStatus: string, status = 200): RunEvent =>
  consumer({ kind: "poll", strategy: "polling", id, at, status, paymentStatus, durationMs: 0.4 });
const detected = (strategy: StrategyName, id: string, at: number, status: "succeeded" | "failed" = "succeeded"): RunEvent => consumer({ kind: "detected", strategy, id, at, status });

export const POLLING_T0 = 1_000;
export const WEBHOOK_T0 = 20_000;

/** The results these events add up to: 8 polls, 3 of them useful; one registration and 3 deliveries (the refused attempt never arrived). */
export const pollingResultFor3: StrategyResult = {
  ...pollingResult,
  requests: { total: 8, consumerToProvider: 8, providerToConsumer: 0, wasted: 5, perPayment: 8 / 3 },
  latencyMs: { ...pollingResult.latencyMs!, p50: 501, p95: 801.5 },
  payments: { ...pollingResult.payments, total: 3, detected: 3 },
  durationMs: 4_001,
};
export const webhookResultFor3: StrategyResult = {
  ...webhookResult,
  requests: { total: 4, consumerToProvider: 1, providerToConsumer: 3, wasted: 1, perPayment: 4 / 3 },
  latencyMs: { ...webhookResult.latencyMs!, p50: 0.75, p95: 5000.5 },
  payments: { ...webhookResult.payments, total: 3, detected: 3 },
  durationMs: 6_801,
};

/** Polling: pay_1 settles at 1.5 s, pay_2 fails at 1.8 s, pay_3 settles at 3.2 s; polls every second from 1 s. */
export const pollingEvents: RunEvent[] = [
  { kind: "strategy-start", strategy: "polling", t0: POLLING_T0, payments: 3 },
  { kind: "created", strategy: "polling", id: "pay_1", at: 1_001 },
  { kind: "created", strategy: "polling", id: "pay_2", at: 1_001.5 },
  { kind: "created", strategy: "polling", id: "pay_3", at: 1_002 },
  poll("pay_1", 2_001, "pending"),
  poll("pay_2", 2_001.25, "pending"),
  poll("pay_3", 2_001.5, "pending"),
  // The provider reports from its thread in 20 ms batches, after the consumer's events of the moment.
  provider("polling", { kind: "created", index: 0, at: 1_000.8 }, { kind: "settled", index: 0, at: 2_500, status: "succeeded" }),
  provider("polling", { kind: "settled", index: 1, at: 2_800, status: "failed" }),
  poll("pay_1", 3_001, "succeeded"),
  detected("polling", "pay_1", 3_001),
  poll("pay_2", 3_001.25, "failed"),
  detected("polling", "pay_2", 3_001.25, "failed"),
  poll("pay_3", 3_001.5, "pending"),
  poll("pay_3", 4_001.5, "pending"),
  poll("pay_3", 5_001.5, "succeeded"),
  detected("polling", "pay_3", 5_001.5),
  provider("polling", { kind: "settled", index: 2, at: 4_200, status: "succeeded" }),
  { kind: "strategy-end", strategy: "polling", result: pollingResultFor3 },
];

/** Webhook: the same settlements; pay_2's first delivery is refused and retried 5 s later. */
export const webhookEvents: RunEvent[] = [
  // The receiver registers before the strategy's clock starts.
  consumer({ kind: "register", strategy: "webhook", at: 19_996, status: 201, durationMs: 1.2 }),
  { kind: "strategy-start", strategy: "webhook", t0: WEBHOOK_T0, payments: 3 },
  { kind: "created", strategy: "webhook", id: "pay_1", at: 20_001 },
  { kind: "created", strategy: "webhook", id: "pay_2", at: 20_001.5 },
  { kind: "created", strategy: "webhook", id: "pay_3", at: 20_002 },
  consumer({ kind: "delivery", strategy: "webhook", id: "pay_1", at: 21_500.75, status: 204, type: "payment.succeeded", duplicate: false, durationMs: 0 }),
  detected("webhook", "pay_1", 21_500.75),
  provider(
    "webhook",
    { kind: "settled", index: 0, at: 21_500, status: "succeeded" },
    { kind: "delivery", attempt: { eventId: "evt_1", paymentIndex: 0, attempt: 1, status: 204, startedAt: 21_500.2, durationMs: 0.7 } },
    { kind: "settled", index: 1, at: 21_800, status: "failed" },
    { kind: "delivery", attempt: { eventId: "evt_2", paymentIndex: 1, attempt: 1, status: 0, startedAt: 21_800.1, durationMs: 3 } },
  ),
  consumer({ kind: "delivery", strategy: "webhook", id: "pay_3", at: 23_200.5, status: 204, type: "payment.succeeded", duplicate: false, durationMs: 0 }),
  detected("webhook", "pay_3", 23_200.5),
  provider(
    "webhook",
    { kind: "settled", index: 2, at: 23_200, status: "succeeded" },
    { kind: "delivery", attempt: { eventId: "evt_3", paymentIndex: 2, attempt: 1, status: 204, startedAt: 23_200.1, durationMs: 0.5 } },
  ),
  consumer({ kind: "delivery", strategy: "webhook", id: "pay_2", at: 26_800.5, status: 204, type: "payment.failed", duplicate: false, durationMs: 0 }),
  detected("webhook", "pay_2", 26_800.5, "failed"),
  provider("webhook", { kind: "delivery", attempt: { eventId: "evt_2", paymentIndex: 1, attempt: 2, status: 204, startedAt: 26_800.2, durationMs: 0.4 } }),
  { kind: "strategy-end", strategy: "webhook", result: webhookResultFor3 },
];

export const recordedRun: RunEvent[] = [...pollingEvents, ...webhookEvents];
