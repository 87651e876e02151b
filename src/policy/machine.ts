/**
 * The machine's own round trip for one exchange on loopback, in ms: a keep-alive request from the
 * consumer's thread to the provider's worker thread and its answer, parsed on both ends. Measured
 * on the reference machine (a 2-core AMD EPYC VM shared with other work, Node 20.20): the median of
 * health.loopbackRoundTripMs.p50 over 27 real runs of the built-in scenario, --latency 50ms and the
 * rate-limited example was 0.81 ms (0.56–0.94). The virtual clock adds it to every exchange, half
 * each way; each real run measures its own (health.loopbackRoundTripMs).
 */
export const LOOPBACK_ROUND_TRIP_MS = 0.8;
