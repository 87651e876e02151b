import { Pool } from "undici";
import { UsageError } from "../errors.js";
import { realScheduler, sleep, type Clock, type Scheduler } from "../measure/clock.js";
import { LoopMonitor, RoundTrips } from "../measure/health.js";
import { summarizeLatencies } from "../contract/latency.js";
import { loadOf, RequestHistogram } from "../contract/load.js";
import { predict } from "../model/predict.js";
import { idOf } from "../api/payment.js";
import { spawnProvider, ProviderStartError, type RemoteSnapshot } from "../provider/remote.js";
import { PROVIDER_LIMITS, type ProviderOptions, type ProviderSnapshot } from "../provider/server.js";
import { arrivalOffsets, settlementRule } from "../scenario/plan.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import { strategyFactory } from "../strategies/index.js";
import { poolReads } from "../strategies/api-client.js";
import { faultScript } from "./fault-script.js";
import { LoopbackProbe } from "./calibrate.js";
import { strategyWarnings } from "../contract/health.js";
import type { ProviderEvent, RunListener, TerminalStatus } from "../contract/events.js";
import { DeliveryFate, noMisses } from "../contract/miss.js";
import { inTime, missFor } from "../policy/outcome.js";
import type { ConsumerStats } from "../strategies/types.js";
import { REJECT_REASONS, type MissedByReason, type PaymentRecord, type RejectedByReason, type RunHealth, type StrategyResult } from "../contract/result.js";

/**
 * Connections the short pollers' pool opens: one per hundred payments, from 8 to 64. Measured with
 * bursts polled every second (npm run bench, load average near 3): 5,000 payments over 64
 * connections kept poll round trips at p90 8–18 ms, over 32 at p90 48 ms; 128 did no better than
 * 64 at 10,000. Each loop iteration serves every socket that is ready, so far more connections only
 * make bigger bursts per iteration.
 */
export function pollConnections(count: number): number {
  return Math.min(64, Math.max(8, Math.ceil(count / 100)));
}

/** The most long polls the consumer holds at once (one connection each); more pending payments queue behind them. */
export const LONG_POLL_CONNECTIONS = 256;

export interface RunOptions {
  host: string;
  /** Port for webhook receivers; 0 = ephemeral. */
  webhookPort: number;
  details: boolean;
  signal?: AbortSignal;
  onEvent?: RunListener;
  clock?: Scheduler;
  /** Test knobs merged into the provider's options (e.g. `sse.dropAfterEvents`). */
  provider?: Partial<ProviderOptions>;
  /** Keep the run going until the deadline even once every outcome is known, so late retries and duplicates are counted. */
  untilDeadline?: boolean;
  /** Receives the consumer's own counts (reconnects, gaps, 429s seen) after the strategy stops. */
  onStats?: (stats: ConsumerStats) => void;
  /** `--webhook-url` and `--secret`: the webhook strategy delivers to the user's receiver, signed with the user's secret. */
  external?: { url: string; secret: string };
}

/**
 * One strategy against a fresh provider: create the scenario's payments, let the strategy learn
 * their outcomes, stop when all are known or the deadline passes, then join the provider's
 * settlement stamps with the consumer's detection stamps.
 */
export async function runStrategy(scenario: Scenario, name: StrategyName, options: RunOptions): Promise<StrategyResult> {
  const clock = options.clock ?? realScheduler;
  const emit = options.onEvent;
  const { speed } = scenario;
  const count = scenario.payments.count;
  const external = name === "webhook" ? options.external : undefined;
  // With the user's receiver, an outcome is known when its delivery is acknowledged: the provider's events say when.
  const acknowledgements = external ? new Acknowledgements() : undefined;
  const onProviderEvents =
    emit || acknowledgements
      ? (events: ProviderEvent[]) => {
          acknowledgements?.note(events);
          emit?.({ kind: "provider", strategy: name, events });
        }
      : undefined;
  const provider = await spawnProvider(
    {
      host: options.host,
      port: 0,
      settlement: settlementRule(scenario),
      speed,
      network: { latencyMs: scenario.network.latencyMs, jitterMs: scenario.network.jitterMs },
      webhook: { ...scenario.webhook, profile: scenario.profile, ...(external ? { secret: external.secret } : {}) },
      rateLimitPerSecond: scenario.provider.rateLimitPerSecond,
      faults: scenario.faults,
      // The receiver below plays the plan's 500s and 503s, after verifying each delivery; a user's receiver cannot, so the sender does.
      faultsPlayedBy: external ? "sender" : "receiver",
      stampArrivals: true,
      // A payment makes at most two delivery chains (a seeded duplicate) to the run's one endpoint: the queue bound never binds a run.
      limits: { pendingDeliveriesPerEndpoint: Math.max(PROVIDER_LIMITS.pendingDeliveriesPerEndpoint, 2 * count), pendingDeliveries: Math.max(PROVIDER_LIMITS.pendingDeliveries, 2 * count) },
      ...options.provider,
    },
    onProviderEvents,
  );
  // A long poll holds its connection for the whole wait, so it needs one per pending payment. Short
  // requests need few: each loop iteration serves every socket that is ready, so 256 busy connections
  // mean bursts of hundreds of requests per iteration and event-loop delays of tens of ms on both
  // sides (see pollConnections for the polls; creations and the rest keep at most 32).
  const connections = name === "long-polling" ? Math.min(LONG_POLL_CONNECTIONS, Math.max(8, count)) : pollConnections(count);
  // Polls have a pool of their own: in one shared with creations, a burst's first polls (due at each
  // payment's creation) queued behind the rest of the burst's creations, and came back late.
  const polls = new Pool(provider.url, { connections, pipelining: 1, keepAliveTimeout: 10_000 });
  const api = new Pool(provider.url, { connections: Math.min(32, Math.max(8, count)), pipelining: 1, keepAliveTimeout: 10_000 });
  const detectedAt = new Map<string, number>();
  const detectedStatus = new Map<string, TerminalStatus>();
  // The exchange that brought each outcome; a detection without a named exchange is its own.
  const detectedBy = new Map<string, string>();
  let allDetected!: () => void;
  const everyoneKnown = new Promise<void>((resolve) => (allDetected = resolve));

  const detect = (id: string, status: TerminalStatus, at: number, request?: string) => {
    if (detectedAt.has(id)) return;
    detectedBy.set(id, request ?? `detect:${id}`);
    detectedAt.set(id, at);
    detectedStatus.set(id, status);
    emit?.({ kind: "consumer", event: { kind: "detected", strategy: name, id, at, status, ...(request ? { request } : {}) } });
    if (detectedAt.size === count) allDetected();
  };
  acknowledgements?.start(detect);
  const strategy = strategyFactory(name)({
    scenario,
    providerUrl: provider.url,
    api,
    reads: poolReads(polls),
    clock,
    listen: { host: options.host, port: options.webhookPort },
    detect,
    isDetected: (id) => detectedAt.has(id),
    deliveryScript: faultScript(scenario),
    ...(external ? { external: { url: external.url } } : {}),
    emit(event) {
      // A long poll's duration is its wait by design, not a round trip. The simulated network is the
      // scenario's, not the machine's: at most its largest draw each way is taken off.
      if (event.kind === "poll" && event.strategy !== "long-polling" && monitoring && !apiLatency) roundTrips.record(Math.max(0, event.durationMs - networkWall));
      emit?.({ kind: "consumer", event });
    },
  });

  // A poll's round trip includes up to two of the network's largest one-way draws (wall ms). With
  // injected API latency (unbounded draws) it carries a simulated delay too: round trips are then
  // not kept, and the health check rests on the loops and the loopback probe.
  const networkWall = (2 * (scenario.network.latencyMs + scenario.network.jitterMs)) / speed;
  const apiLatency = scenario.faults.api.latency !== null;
  const probe = new LoopbackProbe(provider.url, clock);
  let t0 = clock.now();
  let stats: ConsumerStats | undefined;
  let snapshot: RemoteSnapshot | undefined;
  let endedAt = t0;
  const monitor = new LoopMonitor();
  const roundTrips = new RoundTrips();
  let monitoring = false;
  let consumerHealth: RunHealth["consumer"] | undefined;
  let loopback: RunHealth["loopbackRoundTripMs"] = null;
  try {
    try {
      // Calibrate first: a hybrid's first pass is timed from its prepare(), which should end at t0.
      await probe.start();
      await strategy.prepare();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === "EADDRINUSE" || e.code === "EACCES")
        throw new UsageError(`--webhook-port ${options.webhookPort}: the port is ${e.code === "EADDRINUSE" ? "in use" : "not allowed"}; choose a free port, or omit the flag to get an ephemeral one`);
      throw err;
    }
    monitor.start();
    provider.monitor();
    monitoring = true;
    t0 = clock.now();
    emit?.({ kind: "strategy-start", strategy: name, t0, payments: count });
    const offsets = arrivalOffsets(scenario.payments.arrival, count, scenario.seed);
    const abort = options.signal;
    const creations = createPayments(api, offsets, speed, t0, clock, abort, (id, at) => {
      emit?.({ kind: "created", strategy: name, id, at });
      strategy.track(id, at);
    });
    await creations;
    // Wait until every outcome is known, or the last payment's deadline has passed.
    const deadlineWall = scenario.deadlineMs / speed;
    const lastCreation = clock.now();
    const deadlineTimer = new AbortController();
    const stopWaiting = () => deadlineTimer.abort();
    abort?.addEventListener("abort", stopWaiting, { once: true });
    // Interrupted while starting or creating payments: the listener above will never fire.
    if (abort?.aborted) stopWaiting();
    await Promise.race([options.untilDeadline ? new Promise<void>(() => {}) : everyoneKnown, sleep(lastCreation + deadlineWall - clock.now(), deadlineTimer.signal)]);
    stopWaiting();
    abort?.removeEventListener("abort", stopWaiting);
    endedAt = clock.now();
  } finally {
    consumerHealth = monitor.stop();
    const trips = roundTrips.summary();
    if (trips) consumerHealth.roundTripMs = trips;
    // The strategy first: what it holds open (a stream, long polls) stops counting as the run ends.
    await strategy.stop().catch(() => undefined);
    loopback = await probe.stop();
    stats = strategy.stats();
    options.onStats?.(stats);
    snapshot = await provider.snapshot().catch(() => undefined);
    if (external && snapshot) stats = { ...stats, ...externalReceived(snapshot) };
    await Promise.all([api.destroy().catch(() => undefined), polls.destroy().catch(() => undefined)]);
    await provider.close();
  }
  const interrupted = Boolean(options.signal?.aborted);
  const result = aggregate(scenario, name, { t0, endedAt, snapshot, stats, detectedAt, detectedStatus, detectedBy, interrupted, details: options.details, external: Boolean(external) });
  const health: RunHealth = { unit: "wall-clock ms", provider: snapshot?.health ?? null, consumer: consumerHealth, loopbackRoundTripMs: loopback, warnings: [] };
  health.warnings = strategyWarnings({ ...result, health }, speed);
  return { ...result, health };
}

/**
 * Creates the scenario's payments on schedule. Each creation is one undici dispatch with a small
 * handler (no stream, promise or closure per payment), which matters in a burst of 10,000.
 *
 * An interrupt resolves at once, without waiting for creations in flight. A burst is issued in
 * slices that yield to the event loop, and at most CREATION_WINDOW creations wait in the pool at a
 * time: the pool sends 32 at once anyway, so the queue never runs dry, but a million-payment burst
 * no longer queues a million requests in one synchronous loop that no signal could interrupt.
 */
function createPayments(
  api: Pool,
  offsets: Float64Array,
  speed: number,
  t0: number,
  clock: Clock,
  signal: AbortSignal | undefined,
  onCreated: (id: string, at: number) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const tracker: CreationTracker = { pending: 0, issued: false, failed: false, clock, onCreated, resolve, reject, room: undefined };
    const onAbort = () => resolve();
    signal?.addEventListener("abort", onAbort, { once: true });
    const issue = async () => {
      for (let i = 0; i < offsets.length; i++) {
        if (signal?.aborted || tracker.failed) break;
        const due = t0 + offsets[i]! / speed;
        const wait = due - clock.now();
        if (wait > 1) await sleep(wait, signal);
        else if (i % CREATION_SLICE === CREATION_SLICE - 1) await new Promise<void>((r) => setImmediate(r));
        while (tracker.pending >= CREATION_WINDOW && !signal?.aborted && !tracker.failed) await new Promise<void>((r) => (tracker.room = r));
        if (signal?.aborted || tracker.failed) break;
        tracker.pending++;
        api.dispatch({ method: "POST", path: "/payments", headers: CREATE_HEADERS, body: `{"amount":${1000 + i},"currency":"usd"}` }, new Creation(tracker));
      }
      tracker.issued = true;
      if (signal?.aborted || (tracker.pending === 0 && !tracker.failed)) resolve();
    };
    issue()
      .catch(reject)
      .finally(() => signal?.removeEventListener("abort", onAbort));
  });
}

/** Creations dispatched between two yields to the event loop in a burst. */
const CREATION_SLICE = 256;
/** Creations waiting in the pool at most; the pool's 32 connections keep sending while the rest wait. */
const CREATION_WINDOW = 4096;

const CREATE_HEADERS = ["content-type", "application/json"];

interface CreationTracker {
  pending: number;
  issued: boolean;
  failed: boolean;
  clock: Clock;
  onCreated: (id: string, at: number) => void;
  resolve: () => void;
  reject: (err: Error) => void;
  /** Wakes the issuing loop once the window has room again. */
  room: (() => void) | undefined;
}

class Creation {
  private status = 0;
  private chunks: Buffer[] = [];
  constructor(private readonly tracker: CreationTracker) {}
  onConnect(): void {}
  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }
  onComplete(): void {
    const t = this.tracker;
    if (this.status !== 201) return this.fail(new Error(`creating a payment failed with HTTP ${this.status}`));
    let id: string;
    try {
      id = (JSON.parse(Buffer.concat(this.chunks).toString("utf8")) as { id: string }).id;
    } catch {
      return this.fail(new Error("creating a payment returned no payment"));
    }
    t.onCreated(id, t.clock.now());
    if (--t.pending === 0 && t.issued && !t.failed) t.resolve();
    wake(t);
  }
  onError(err: Error): void {
    this.fail(err);
  }
  private fail(err: Error): void {
    const t = this.tracker;
    t.pending--;
    wake(t);
    if (t.failed) return;
    t.failed = true;
    t.reject(err);
  }
}

function wake(t: CreationTracker): void {
  if (!t.room || (t.pending >= CREATION_WINDOW / 2 && !t.failed)) return;
  const room = t.room;
  t.room = undefined;
  room();
}

interface Gathered {
  t0: number;
  endedAt: number;
  snapshot?: ProviderSnapshot;
  stats?: ConsumerStats;
  detectedAt: Map<string, number>;
  detectedStatus: Map<string, TerminalStatus>;
  /** The exchange that brought each outcome (one exchange may bring several); absent: each detection is its own request. */
  detectedBy?: Map<string, string>;
  /** The run was stopped (Ctrl-C) before it ended by itself. */
  interrupted?: boolean;
  details: boolean;
  /** The webhooks went to the user's receiver (`--webhook-url`). */
  external?: boolean;
}

/** Exchange kinds the provider counts that concern no one payment. */
const SHARED_EXCHANGES = ["register", "list", "events", "events-refused"];

/** Joins both sides' counts into the JSON contract, converting wall time to scenario time. */
export function aggregate(scenario: Scenario, name: StrategyName, g: Gathered): StrategyResult {
  const { speed, deadlineMs } = scenario;
  const snap = g.snapshot;
  // Every exchange the provider counted came from the consumer: polls, long polls, list pages,
  // event streams and the endpoint registration (payment creation is never counted).
  const sent = { requests: 0, bytesIn: 0, bytesOut: 0 };
  for (const c of Object.values(snap?.exchanges ?? {})) {
    sent.requests += c.requests;
    sent.bytesIn += c.bytesIn;
    sent.bytesOut += c.bytesOut;
  }
  const received = g.stats?.received ?? { requests: 0, bytesIn: 0, bytesOut: 0 };
  const total = scenario.payments.count;

  const latencies: number[] = [];
  const details: PaymentRecord[] = [];
  const usefulRequests = new Set<string>();
  let detected = 0;
  let succeeded = 0;
  let failed = 0;
  const missedByReason: MissedByReason = noMisses();
  const paymentCount = snap?.payments ?? 0;
  for (let index = 0; index < paymentCount; index++) {
    const id = idOf(index);
    const createdAt = snap!.createdAt[index]!;
    const settledAt = snap!.settledAt[index]!;
    const at = g.detectedAt.get(id);
    const known = at !== undefined && !Number.isNaN(settledAt) && inTime((at - createdAt) * speed, 0, deadlineMs);
    const latency = known ? Math.max(0, (at - settledAt) * speed) : null;
    if (known) {
      detected++;
      latencies.push(latency!);
      usefulRequests.add(g.detectedBy?.get(id) ?? `detect:${id}`);
      if (g.detectedStatus.get(id) === "failed") failed++;
      else succeeded++;
    } else {
      // Interrupted before this payment's deadline had passed: not the deadline's doing.
      const cutShort = Boolean(g.interrupted) && (g.endedAt - createdAt) * speed < deadlineMs;
      missedByReason[missFor(snap!.fates?.[index] ?? DeliveryFate.none, cutShort)]++;
    }
    if (g.details) {
      const rel = (t: number) => (t - g.t0) * speed;
      details.push({
        id,
        status: Number.isNaN(settledAt) ? "pending" : (g.detectedStatus.get(id) ?? "pending"),
        createdAtMs: rel(createdAt),
        settledAtMs: Number.isNaN(settledAt) ? null : rel(settledAt),
        detectedAtMs: at === undefined ? null : rel(at),
        settlementDelayMs: Number.isNaN(settledAt) ? null : (settledAt - createdAt) * speed,
        latencyMs: latency,
        requests: (snap!.pollsPerPayment?.[index] ?? 0) + (g.stats?.receivedByPayment?.get(id) ?? 0),
      });
    }
  }

  // Payments the provider never created: the run was interrupted before their turn (or it failed).
  missedByReason[g.interrupted ? "interrupted" : "deadline"] += Math.max(0, total - paymentCount);
  const consumerToProvider = sent.requests;
  const providerToConsumer = received.requests;
  const requestsTotal = consumerToProvider + providerToConsumer;
  const bytesC2P = sent.bytesIn + received.bytesOut;
  const bytesP2C = sent.bytesOut + received.bytesIn;
  const deliveries = snap?.deliveries ?? { attempted: 0, succeeded: 0, retried: 0 };
  // Counted from their own sources, so Σ details[].requests + unattributed = total is a check, not a definition.
  let unattributed = (snap?.unknownPolls ?? 0) + (g.stats?.rejected ?? 0);
  for (const kind of SHARED_EXCHANGES) unattributed += snap?.exchanges[kind]?.requests ?? 0;
  // Every request where it arrived (the provider's server, the receiver), in scenario time from t0.
  const histogram = new RequestHistogram();
  for (const stamp of snap?.arrivals ?? []) histogram.add((stamp - g.t0) * speed);
  for (const stamp of g.stats?.arrivals ?? []) histogram.add((stamp - g.t0) * speed);
  const durationMs = (g.endedAt - g.t0) * speed;
  return {
    name,
    receiver: name === "webhook" || name === "hybrid" ? (g.external ? "external" : "built-in") : null,
    requests: {
      total: requestsTotal,
      consumerToProvider,
      providerToConsumer,
      // A request is useful when it brought at least one new outcome in time; everything else was wasted.
      wasted: Math.max(0, requestsTotal - usefulRequests.size),
      perPayment: total > 0 ? requestsTotal / total : 0,
      unattributed,
      free: snap?.notModifiedFree ?? 0,
    },
    bytes: { total: bytesC2P + bytesP2C, consumerToProvider: bytesC2P, providerToConsumer: bytesP2C },
    latencyMs: summarizeLatencies(latencies),
    payments: { total, detected, missed: total - detected, duplicates: g.stats?.duplicates ?? 0, succeeded, failed, missedByReason },
    deliveries: { attempted: deliveries.attempted, succeeded: deliveries.succeeded, retried: deliveries.retried },
    errors: {
      rateLimited: snap?.apiErrors?.rateLimited ?? 0,
      server: snap?.apiErrors?.server ?? 0,
      rejected: g.stats?.rejected ?? 0,
      ...(g.stats?.rejected ? { rejectedByReason: everyReason(g.stats.rejectedByReason) } : {}),
    },
    durationMs,
    load: loadOf(histogram, durationMs, snap?.heldPeak ?? 0, g.details),
    model: predict(scenario, name),
    ...(g.details ? { details } : {}),
  };
}

/** The user's receiver counts nothing for the run: its deliveries as the provider's sender sent them and read their answers. */
function externalReceived(snapshot: ProviderSnapshot): Pick<ConsumerStats, "received" | "receivedByPayment"> {
  const wire = snapshot.deliveryWire;
  return { received: { requests: wire.requests, bytesIn: wire.bytesOut, bytesOut: wire.bytesIn }, receivedByPayment: new Map(wire.byPayment.map(([index, n]) => [idOf(index), n])) };
}

/**
 * Outcomes learnt from a user's receiver: a payment is known when a delivery of its settlement is
 * answered 2xx, at the moment the provider has the answer (the provider's events carry both, on
 * the shared monotonic clock). The status is the settlement's, from the provider's own event.
 */
class Acknowledgements {
  private readonly settled = new Map<number, TerminalStatus>();
  private detect?: (id: string, status: TerminalStatus, at: number) => void;

  start(detect: (id: string, status: TerminalStatus, at: number) => void): void {
    this.detect = detect;
  }

  note(events: ProviderEvent[]): void {
    for (const e of events) {
      if (e.kind === "settled") this.settled.set(e.index, e.status);
      else if (e.kind === "delivery" && e.attempt.status >= 200 && e.attempt.status < 300) {
        const status = this.settled.get(e.attempt.paymentIndex);
        if (status) this.detect?.(idOf(e.attempt.paymentIndex), status, e.attempt.startedAt + e.attempt.durationMs);
      }
    }
  }
}

/** The reasons a receiver saw, with every other reason at 0. */
function everyReason(seen: ConsumerStats["rejectedByReason"]): RejectedByReason {
  const all = {} as RejectedByReason;
  for (const reason of REJECT_REASONS) all[reason] = seen?.[reason] ?? 0;
  return all;
}

export { ProviderStartError };
