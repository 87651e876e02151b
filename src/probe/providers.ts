/**
 * How long real providers wait for a receiver's 2xx before counting a delivery as failed and
 * retrying it (shared FACTS.md, "Real providers"; check the pages, providers change them).
 */
export interface ProviderTimeout {
  provider: string;
  /** Null where the provider publishes none. */
  timeoutMs: number | null;
}

export const PROVIDER_TIMEOUTS: readonly ProviderTimeout[] = [
  { provider: "Stripe", timeoutMs: null },
  { provider: "GitHub", timeoutMs: 10_000 },
  { provider: "Shopify", timeoutMs: 5_000 },
  { provider: "Slack", timeoutMs: 3_000 },
  { provider: "Svix", timeoutMs: 15_000 },
];

/** The tightest published timeout. */
export function tightestTimeout(): { provider: string; timeoutMs: number } {
  const known = PROVIDER_TIMEOUTS.filter((p): p is { provider: string; timeoutMs: number } => p.timeoutMs !== null);
  return known.reduce((a, b) => (b.timeoutMs < a.timeoutMs ? b : a));
}

/** `slow-path` warns when the p99 passes this share of the tightest timeout, leaving room for a bad day. */
export const SLOW_SHARE = 0.1;
