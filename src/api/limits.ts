/**
 * The provider API's caps and periods that its clients, and the virtual clock that replays them,
 * must agree on. Scenario time throughout.
 */

/** Longest a long poll is held, whatever the client asks: 60 s, twice Firestore's default. */
export const MAX_WAIT_MS = 60_000;

/** `GET /payments` pages: the size when `limit` is absent, and the largest one may ask for. */
export const DEFAULT_LIST_LIMIT = 10;
export const MAX_LIST_LIMIT = 100;

/** Heartbeat comment period of an event stream; WHATWG suggests about 15 s to keep proxies from closing the stream. */
export const HEARTBEAT_MS = 15_000;

/**
 * `POST /payments`' `metadata`: string keys to string values, as real payment APIs take them.
 * The bounds are ours (FACTS.md quotes none): at most 50 keys, keys of 1 to 40 characters,
 * values of at most 500, the figures Stripe's API reference gives for its own metadata.
 */
export const METADATA_LIMITS = { keys: 50, keyChars: 40, valueChars: 500, totalChars: 32_000_000 } as const;
// totalChars: what one provider keeps for all payments' metadata together (about 64 MB of strings),
// past which a creation with metadata is refused (503): each payment may carry 27 kB, and a
// provider holds up to a million payments.
