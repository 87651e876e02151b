/** A hand-built sweep close to a real `checkout` run: live numbers vary, the layout should not. */
import type { SweepPoint, SweepResult } from "../src/contract/result.js";
import { two } from "./render-fixtures.js";

const point = (intervalMs: number | null, requests: number, p50: number, p95: number, mean: number, missed = 0): SweepPoint => ({
  intervalMs,
  requests: { total: requests, wasted: intervalMs === null ? 1 : requests - 20, perPayment: requests / 20 },
  latencyMs: { mean, p50, p95 },
  payments: { total: 20, detected: 20 - missed, missed },
  durationMs: 9_000,
  bytes: { total: requests * 230 },
  load: { requestsPerSecond: requests / 9, peakRequestsPerSecond: intervalMs === null ? 5 : 20, connectionsHeld: 0 },
});

export const sweep: SweepResult = {
  schemaVersion: 1,
  tool: { name: "apiwh", version: "0.1.0" },
  clock: "real",
  partial: false,
  scenario: { ...two.scenario, strategies: ["polling", "webhook"] },
  strategy: "polling",
  points: [
    point(250, 412, 118.4, 236.2, 121.7),
    point(500, 216, 241.3, 471.9, 244.8),
    point(1000, 118, 452.3, 951.2, 471.9),
    point(2000, 69, 1012.5, 1903.4, 987.2),
    point(5000, 38, 2440.1, 4702.8, 2391.6),
  ],
  webhook: point(null, 21, 0.61, 1.12, 0.68),
};
