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
