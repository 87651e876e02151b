import { Pool } from "undici";
import type { Cancel, Scheduler } from "../measure/clock.js";
import { RoundTrips } from "../measure/health.js";

/** How often the probe samples during a run (wall ms): a few requests a second, nothing the provider notices. */
const SAMPLE_EVERY_MS = 200;

/**
 * The machine's own round trip to the provider, sampled through a strategy's run: a bare
 * `OPTIONS /payments` on a connection of its own (so it never queues behind the strategy's
 * requests), which the provider answers at once, without the simulated network, counted nowhere.
 * What it measures is what every exchange of the run costs this machine under the run's own load;
 * the health check multiplies it by the speed (src/contract/health.ts).
 */
export class LoopbackProbe {
  private readonly trips = new RoundTrips();
  private readonly pool: Pool;
  private cancel: Cancel | undefined;
  private stopped = false;

  constructor(
    url: string,
    private readonly clock: Scheduler,
  ) {
    this.pool = new Pool(url, { connections: 1, pipelining: 1, keepAliveTimeout: 10_000 });
  }

  /** A few samples back to back (the first opens the connection and is not kept), then one every SAMPLE_EVERY_MS until stop(). */
  async start(): Promise<void> {
    await this.sample(false);
    for (let i = 0; i < 3; i++) await this.sample(true);
    this.next();
  }

  private next(): void {
    if (this.stopped) return;
    this.cancel = this.clock.at(this.clock.now() + SAMPLE_EVERY_MS, () => void this.sample(true).then(() => this.next()));
  }

  private async sample(keep: boolean): Promise<void> {
    if (this.stopped) return;
    const started = this.clock.now();
    try {
      const res = await this.pool.request({ method: "OPTIONS", path: "/payments" });
      await res.body.dump();
      if (keep && !this.stopped) this.trips.record(this.clock.now() - started);
    } catch {
      // The provider is closing: no sample.
    }
  }

  async stop(): Promise<{ p50: number; p99: number; max: number } | null> {
    this.stopped = true;
    this.cancel?.();
    await this.pool.destroy().catch(() => undefined);
    const summary = this.trips.summary();
    return summary && { p50: summary.p50, p99: summary.p99, max: summary.max };
  }
}
