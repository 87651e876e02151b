/**
 * The machine's own round trip for one exchange on loopback, in ms: a keep-alive request from the
 * consumer's thread to the provider's worker thread and its answer, parsed on both ends, with the
 * loops otherwise idle. Measured on the reference machine (2-core AMD EPYC VM, Node 20.20; the
 * median of the `OPTIONS` round trips the real run sends to calibrate its health check, over the
 * README's example runs): see README, "At scale: the virtual clock". The virtual clock adds it to
 * every exchange, half each way; the real run measures its own (health.loopbackRoundTripMs).
 */
export const LOOPBACK_ROUND_TRIP_MS = 0.5;
