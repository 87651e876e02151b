/**
 * `POST /payments` with `metadata`, as client code written for a real payment API sends it:
 * string keys to string values, bounded (METADATA_LIMITS), stored and read back by GET and the
 * list, carried in the webhook's event; every violation a 400 naming the key at fault.
 */
import { afterEach, describe, expect, it } from "vitest";
import { METADATA_LIMITS } from "../src/api/limits.js";
import { startProvider, type Provider } from "../src/provider/server.js";
import { providerOptions } from "./helpers/provider.js";
import { json } from "./helpers/http.js";

let provider: Provider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function started(): Promise<Provider> {
  provider = await startProvider(providerOptions("fixed(60s)"));
  return provider;
}

const create = (body: object) => json(`${provider!.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd", ...body } });

describe("POST /payments metadata", () => {
  it("is stored and returned by the creation, GET /payments/:id and the list; a payment without any has no field", async () => {
    await started();
    const metadata = { order_id: "6735", customer: "cus_42", note: "é ✓" };
    const made = await create({ metadata });
    expect(made.status).toBe(201);
    expect(made.body.metadata).toEqual(metadata);
    const read = await json(`${provider!.url}/payments/${made.body.id}`);
    expect(read.body.metadata).toEqual(metadata);
    const plain = await create({});
    expect(plain.body).not.toHaveProperty("metadata");
    const list = await json(`${provider!.url}/payments`);
    expect(list.body.data.map((p: { metadata?: object }) => p.metadata)).toEqual([metadata, undefined]);
    // An empty object is metadata too: kept as given.
    expect((await create({ metadata: {} })).body.metadata).toEqual({});
  });

  it("takes exactly its limits: 50 keys of 40 characters, values of 500", async () => {
    await started();
    const { keys, keyChars, valueChars } = METADATA_LIMITS;
    const full = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`${i}`.padStart(keyChars, "k"), "v".repeat(valueChars)]));
    const made = await create({ metadata: full });
    expect(made.status).toBe(201);
    expect(Object.keys(made.body.metadata)).toHaveLength(keys);
  });

  it.each([
    ["not an object", ["a"], /metadata must be an object of string values/],
    ["null", null, /metadata must be an object/],
    ["a number value", { n: 1 }, /metadata\["n"\] must be a string/],
    ["a nested object", { n: { deep: "x" } }, /metadata\["n"\] must be a string/],
    ["51 keys", Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])), /metadata has 51 keys; expected at most 50/],
    ["a key of 41 characters", { ["k".repeat(41)]: "v" }, /metadata key "k{40}" must be 1 to 40 characters/],
    ["an empty key", { "": "v" }, /metadata key "" must be 1 to 40 characters/],
    ["a value of 501 characters", { long: "v".repeat(501) }, /metadata\["long"\] is 501 characters; expected at most 500/],
  ])("refuses %s with a 400 that says what is wrong", async (_what, metadata, message) => {
    await started();
    const res = await create({ metadata });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe("invalid_request");
    expect(res.body.error.message).toMatch(message);
    expect(String(res.body.error.field)).toMatch(/^metadata/);
    // Nothing was created.
    expect((await json(`${provider!.url}/payments`)).body.data).toEqual([]);
  });
});
