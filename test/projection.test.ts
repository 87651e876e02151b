import { describe, expect, it } from "vitest";
import { ParseError } from "../src/errors.js";
import { costOf, formatMoney, parsePrice, PRICE_PRESETS, projectionBasis, projectStrategy, withProjection } from "../src/contract/projection.js";
import { renderJson } from "../src/render/json.js";
import { renderMarkdown } from "../src/render/markdown.js";
import { renderTable } from "../src/render/table.js";
import { overWide, plain, polling, two, webhook } from "./render-fixtures.js";

describe("--price", () => {
  it.each<[string, Array<{ amount: number; per: number; unit: string }>]>([
    ["3.50/M requests", [{ amount: 3.5, per: 1e6, unit: "requests" }]],
    ["3.50/M requests, 0.09/GB", [{ amount: 3.5, per: 1e6, unit: "requests" }, { amount: 0.09, per: 1e9, unit: "bytes" }]],
    ["$0.20/1M req + $0.09/GB", [{ amount: 0.2, per: 1e6, unit: "requests" }, { amount: 0.09, per: 1e9, unit: "bytes" }]],
    ["1/1000 requests", [{ amount: 1, per: 1000, unit: "requests" }]],
    ["0.5/request", [{ amount: 0.5, per: 1, unit: "requests" }]],
    ["2/TB", [{ amount: 2, per: 1e12, unit: "bytes" }]],
    ["api-gateway-http, data-transfer-out", [{ amount: 1, per: 1e6, unit: "requests" }, { amount: 0.09, per: 1e9, unit: "bytes" }]],
  ])("reads %j", (spec, terms) => {
    expect(parsePrice(spec).map(({ amount, per, unit }) => ({ amount, per, unit }))).toEqual(terms);
  });

  it.each(["", "free", "3.50", "3.50/M", "3.50/M bytes", "3.50/GB requests", "-1/M requests", "3.50/0 requests", "api-gateway", "1/M requests,,0.09/GB"])("refuses %j, naming the form", (spec) => {
    expect(() => parsePrice(spec)).toThrow(ParseError);
    expect(() => parsePrice(spec)).toThrow(/expected/);
  });

  it("presets carry the published prices of FACTS.md, each labelled with its product", () => {
    // AWS API Gateway HTTP $1.00/M, REST $3.50/M; Lambda $0.20/M; Cloudflare Workers $0.30/M; data transfer out $0.09/GB.
    expect(Object.fromEntries(Object.entries(PRICE_PRESETS).map(([k, v]) => [k, `${v.amount}/${v.per} ${v.unit}`]))).toEqual({
      "api-gateway-http": "1/1000000 requests",
      "api-gateway-rest": "3.5/1000000 requests",
      lambda: "0.2/1000000 requests",
      "cloudflare-workers": "0.3/1000000 requests",
      "data-transfer-out": "0.09/1000000000 bytes",
    });
  });
});

describe("the projection", () => {
  it("scales to --per-day, else the arrival rate over a day, else the 10,000 a day of the cited example", () => {
    expect(projectionBasis({ kind: "burst" }, 50_000, null)).toMatchObject({ paymentsPerDay: 50_000, basis: "per-day", daysPerMonth: 30 });
    expect(projectionBasis({ kind: "rate", perSecond: 2, source: "2/s" }, undefined, null)).toMatchObject({ paymentsPerDay: 172_800, basis: "arrival-rate" });
    expect(projectionBasis({ kind: "burst" }, undefined, null)).toMatchObject({ paymentsPerDay: 10_000, basis: "assumed" });
  });

  it("multiplies the measured per-payment figures; a month is 30 days", () => {
    const basis = projectionBasis({ kind: "burst" }, 10_000, null);
    // polling: 118 requests and 27,258 bytes for 20 payments.
    expect(projectStrategy(polling, basis)).toEqual({ requestsPerDay: 59_000, requestsPerMonth: 1_770_000, bytesPerDay: 13_629_000, bytesPerMonth: 408_870_000 });
  });

  it("prices every term on the requests or the bytes of a day", () => {
    const projection = { requestsPerDay: 1_000_000, requestsPerMonth: 30_000_000, bytesPerDay: 2e9, bytesPerMonth: 6e10 };
    // FACTS' example: 36M requests a month is about $36 on HTTP APIs and $126 on REST APIs.
    expect(costOf({ ...projection, requestsPerDay: 1_200_000 }, parsePrice("api-gateway-http")).perMonth).toBeCloseTo(36, 9);
    expect(costOf({ ...projection, requestsPerDay: 1_200_000 }, parsePrice("api-gateway-rest")).perMonth).toBeCloseTo(126, 9);
    expect(costOf(projection, parsePrice("3.50/M requests, 0.09/GB"))).toEqual({ perDay: 3.5 + 0.18, perMonth: (3.5 + 0.18) * 30 });
  });

  it("shows the projection, the cost and what they assumed in the table, the Markdown and the JSON", () => {
    const priced = withProjection(two, projectionBasis({ kind: "burst" }, undefined, { spec: "api-gateway-http", terms: parsePrice("api-gateway-http") }));
    const table = renderTable(priced, plain);
    expect(table).toMatch(/│ Per day\s+│/);
    expect(table).toMatch(/│   requests\s+│\s+59,000 │\s+11,500 │/);
    expect(table).toMatch(/│   cost\s+│\s+\$0\.059 │\s+\$0\.011 │/);
    expect(table).toMatch(/│   cost\s+│\s+\$1\.77 │\s+\$0\.34 │/);
    expect(table).toContain("10,000 payments a day (assumed; --per-day sets it)");
    expect(table).toContain("AWS API Gateway HTTP APIs ($1.00 per 1M requests)");
    expect(overWide(table)).toEqual([]);
    expect(renderMarkdown(priced)).toContain("| **Per month** |  |  |");
    const json = JSON.parse(renderJson(priced));
    expect(json.projection).toMatchObject({ paymentsPerDay: 10_000, basis: "assumed", price: { spec: "api-gateway-http" } });
    expect(json.strategies[1].projection).toEqual({ requestsPerDay: 11_500, requestsPerMonth: 345_000, bytesPerDay: 7_107_000, bytesPerMonth: 213_210_000 });
    // 11,500 requests at $1 per million: $0.0115 a day (JSON keeps 3 decimals), $0.345 a month.
    expect(json.strategies[1].cost.perDay).toBe(0.011);
    expect(json.strategies[1].cost.perMonth).toBe(0.345);
    // Without a price: the projection, no cost.
    const unpriced = withProjection(two, projectionBasis({ kind: "burst" }, 10_000, null));
    expect(unpriced.strategies[0]!.cost).toBeUndefined();
    expect(renderTable(unpriced, plain)).not.toContain("cost");
    expect(webhook.projection).toBeUndefined();
  });

  it("formats money with enough digits to tell small costs apart", () => {
    expect([0, 0.00001, 0.0123, 0.346, 1.5, 36, 1234.5].map(formatMoney)).toEqual(["$0", "<$0.0001", "$0.012", "$0.35", "$1.50", "$36.00", "$1,235"]);
  });
});
