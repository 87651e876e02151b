/**
 * What a profile changes in the answers to `GET /payments/:id`, kept out of the hot path's code:
 * the polling hint the provider sends (GitHub's `X-Poll-Interval`), and conditional requests that
 * cost nothing (GitHub: a 304 does not count against the rate limit). Both are off in the standard
 * profile, where a poll is answered exactly as before.
 */
import type { IncomingMessage } from "node:http";
import type { Profile } from "../api/profile.js";
import { ifNoneMatchOf } from "./http.js";
import { etagMatches } from "./payment-routes.js";

export class PollProfile {
  /** Extra headers of every poll's answer (200 and 304); undefined when the profile sends none. */
  readonly hint: Record<string, string> | undefined;
  /** The same hint as a raw header list, appended to the cached 200's header block. */
  readonly hintList: readonly string[] | undefined;
  /** Whether a 304 is free: it passes the rate limit and is counted in `notModifiedFree`. */
  readonly freeNotModified: boolean;
  /** Plain polls answered 304 at no cost (requests.free in the result). */
  notModifiedFree = 0;

  constructor(profile: Profile | undefined) {
    const hint = profile?.pollHint.value;
    this.hint = hint ? { [hint.header]: String(hint.seconds) } : undefined;
    this.hintList = hint ? [hint.header, String(hint.seconds)] : undefined;
    this.freeNotModified = profile ? !profile.conditional.value.notModifiedCounts : false;
  }

  /**
   * Whether this poll will be answered 304 and is free under the profile: a plain poll (a long
   * poll is held, and charged as any request) whose `If-None-Match` matches the payment's ETag
   * now. The poll is answered in the same tick, so it is the 304 this predicts. Counted here.
   */
  isFree(req: IncomingMessage, held: boolean, etag: () => string): boolean {
    if (!this.freeNotModified || held) return false;
    const condition = ifNoneMatchOf(req);
    if (condition === undefined || !etagMatches(condition, etag())) return false;
    this.notModifiedFree++;
    return true;
  }

  /** The answer's headers with the hint, if any. */
  headers(base: Record<string, string>): Record<string, string> {
    return this.hint ? { ...base, ...this.hint } : base;
  }
}
