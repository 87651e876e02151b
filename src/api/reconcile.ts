import { MAX_LIST_LIMIT } from "./limits.js";

/**
 * How the `hybrid` consumer reads the list route to reconcile, shared by the real client
 * (src/strategies/hybrid.ts) and the virtual clock's replay of it (src/virtual/hybrid.ts).
 */

/** Reconciliation re-reads this much before the previous pass's start, so a settlement in flight then is not skipped. */
export const OVERLAP_WALL_MS = 1000;

/** Each page asks for the largest page the API gives. */
export const PAGE_LIMIT = MAX_LIST_LIMIT;
