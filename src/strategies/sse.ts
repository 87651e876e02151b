import { emptyCount } from "../measure/meter.js";
import { sleepUntil } from "../measure/clock.js";
import { holdOffMs, REFUSAL_BASE_MS } from "../policy/polling.js";
import { ErrorTally, isTerminal } from "./api-client.js";
import { parseRetryAfter } from "../http/retry-after.js";
import type { ConsumerContext, Strategy } from "./types.js";

/**
 * Server-Sent Events: one `GET /events` stream carries every settlement. When the stream drops,
 * the client reopens it at once with `Last-Event-ID`, and the provider replays what it missed.
 *
 * Counting: a request is one stream connection, however many events it carries; its bytes are
 * everything sent on it, heartbeats included. A connection is useful when it brought at least one
 * outcome the consumer did not know.
 */
export function createSse(ctx: ConsumerContext): Strategy {
  const { speed } = ctx.scenario;
  const tally = new ErrorTally();
  const abort = new AbortController();
  let lastEventId = 0;
  let connections = 0;
  let gaps = 0;
  let running: Promise<void> | undefined;
  let connected: () => void = () => {};

  async function connectOnce(): Promise<{ http: number; retryAfterMs: number }> {
    const connection = ++connections;
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (lastEventId > 0) headers["last-event-id"] = String(lastEventId);
    const started = ctx.clock.now();
    const res = await ctx.api.request({ method: "GET", path: "/events", headers, signal: abort.signal });
    tally.note(res.statusCode);
    const opened = ctx.clock.now();
    ctx.emit?.({ kind: "connect", strategy: "sse", at: opened, status: res.statusCode, durationMs: opened - started, connection, ...(lastEventId > 0 ? { lastEventId } : {}) });
    connected();
    if (res.statusCode !== 200) {
      const retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
      await res.body.dump();
      return { http: res.statusCode, retryAfterMs };
    }
    let buffer = "";
    let id: number | undefined;
    let data = "";
    res.body.setEncoding("utf8");
    for await (const chunk of res.body as AsyncIterable<string>) {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, "");
        buffer = buffer.slice(nl + 1);
        if (line === "") {
          if (data !== "") deliver(id, data, `sse:${connection}`);
          id = undefined;
          data = "";
        } else if (line.startsWith(":")) continue; // heartbeat or comment
        else if (line.startsWith("id:")) id = Number(line.slice(3).trim());
        else if (line.startsWith("data:")) data += (data ? "\n" : "") + line.slice(5).replace(/^ /, "");
      }
    }
    return { http: 200, retryAfterMs: 0 };
  }

  function deliver(id: number | undefined, data: string, request: string): void {
    const at = ctx.clock.now();
    if (id !== undefined) {
      if (id > lastEventId + 1) gaps++;
      if (id <= lastEventId) return; // replayed twice: already seen
      lastEventId = id;
    }
    const payment = JSON.parse(data) as { id: string; status: string };
    ctx.emit?.({ kind: "delivery", strategy: "sse", id: payment.id, at, status: 200, type: `payment.${payment.status}`, duplicate: false, durationMs: 0, stream: true });
    if (isTerminal(payment.status) && !ctx.isDetected(payment.id)) ctx.detect(payment.id, payment.status, at, request);
  }

  async function run(): Promise<void> {
    let errorsInRow = 0;
    while (!abort.signal.aborted) {
      let answer = { http: 0, retryAfterMs: 0 };
      try {
        answer = await connectOnce();
      } catch {
        if (abort.signal.aborted) return;
      }
      // A stream that ended cleanly is reopened at once; a refused one waits (the shared hold-off).
      const failed = answer.http !== 200;
      errorsInRow = failed ? errorsInRow + 1 : 0;
      const hold = holdOffMs(answer.http, answer.retryAfterMs, errorsInRow, REFUSAL_BASE_MS);
      if (hold > 0) await sleepUntil(ctx.clock, ctx.clock.now() + hold / speed, abort.signal);
    }
  }

  return {
    name: "sse",
    async prepare() {
      // Open the stream before any payment exists (replay would cover a late start, at a cost in latency).
      const first = new Promise<void>((resolve) => (connected = resolve));
      running = run();
      await Promise.race([first, running]);
    },
    track() {},
    async stop() {
      abort.abort();
      await running?.catch(() => undefined);
    },
    stats: () => ({
      received: emptyCount(),
      duplicates: 0,
      rejected: 0,
      rateLimited: tally.rateLimited,
      serverErrors: tally.server,
      reconnects: Math.max(0, connections - 1),
      gaps,
    }),
  };
}
