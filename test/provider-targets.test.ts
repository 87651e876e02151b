import { describe, expect, it } from "vitest";
import { isPlainTarget } from "../src/provider/http.js";
import { PaymentStore } from "../src/provider/payments.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import { monotonicClock } from "../src/measure/clock.js";

// A plain poll's target and id are read by character codes (issue 18: the regular expressions cost
// measurable instructions per request). The rules they replaced are the specification here: both
// checks must agree with them on every input, the odd ones included.
const PLAIN_RULE = /^\/(?!\/)[\w\-/]*$/;
const ID_RULE = /^pay_[1-9]\d{0,9}$/;

const ODD = ["", "/", "//", "//x", "/payments/pay_1", "/payments/pay_1?wait=30", "/payments/pay_%31", "/payments/../x", "/payments/./pay_1", "/payments/pay_1#x", "/Payments/PAY_1", "/a-b_c/9", "/é", "/ payments", "/payments/pay_1 ", "payments", "/payments\\pay_1", "/x\u0000", "/\u212a", "/x:y", "/~x", "/x.y"];
const IDS = ["pay_1", "pay_0", "pay_01", "pay_", "pay_9999999999", "pay_10000000000", "pay_12345678901", "pay_-1", "pay_1a", "pay_1 ", "PAY_1", "pay_１", "pay_+1", "pay_1e3", "pay_ 1", "xpay_1", "pay__1", "pay_2", "pay_3", "pay_4", "pay_42"];

/** Strings drawn from the characters the rules care about, with a fixed seed (the run repeats). */
function draws(alphabet: string, count: number, maxLength: number, seed: number): string[] {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(next() * maxLength) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""));
}

describe("isPlainTarget", () => {
  it("agrees with /^\\/(?!\\/)[\\w\\-/]*$/ on odd targets and 20,000 drawn ones", () => {
    const drawn = draws("/_-aZz09.?%#:~ \u00e9\\", 20_000, 12, 18).map((t, i) => (i % 2 ? `/${t}` : t));
    for (const target of [...ODD, ...drawn]) expect(isPlainTarget(target), JSON.stringify(target)).toBe(PLAIN_RULE.test(target));
    // The drawn set reaches both answers often.
    expect(drawn.filter((t) => PLAIN_RULE.test(t)).length).toBeGreaterThan(1000);
    expect(drawn.filter((t) => !PLAIN_RULE.test(t)).length).toBeGreaterThan(1000);
  });
});

describe("PaymentStore.indexOf", () => {
  it("agrees with pay_ and 1 to 10 digits (no leading zero), and finds only payments that exist", () => {
    const store = new PaymentStore({ seed: 1, delay: parseDistribution("fixed(1h)"), failureRate: 0 }, 1, monotonicClock, () => {});
    for (let i = 0; i < 42; i++) store.create(100, "usd");
    const drawn = draws("pay_0123456789x", 20_000, 14, 7).map((t, i) => (i % 3 ? `pay_${t}` : t));
    for (const id of [...IDS, ...drawn]) {
      const n = ID_RULE.test(id) ? Number(id.slice(4)) : 0;
      expect(store.indexOf(id), JSON.stringify(id)).toBe(n >= 1 && n <= 42 ? n - 1 : -1);
    }
    expect(drawn.filter((id) => ID_RULE.test(id) && Number(id.slice(4)) <= 42).length).toBeGreaterThan(100);
    store.stop();
  });
});
