import { createHook } from "node:async_hooks";
import { describe, expect, it } from "vitest";
import { keepTickShape, keptTickEntry } from "../src/http/tick-shape.js";

// The effect (an idle provider keeping its speed) is measured by `npm run bench`, whose standalone
// provider sits idle through the instrument check before its own rows; here, what is kept.
describe("keepTickShape", () => {
  it("keeps one process.nextTick queue entry, the same one however often it is called and however many ticks follow", async () => {
    expect(keptTickEntry()).toBeUndefined();
    keepTickShape();
    const entry = keptTickEntry();
    // A queue entry: the callback it ran, and node's two async-id symbols.
    expect(entry).toBeDefined();
    expect(typeof (entry as { callback?: unknown }).callback).toBe("function");
    expect(Object.getOwnPropertySymbols(entry).map((s) => s.description).sort()).toEqual(["async_id_symbol", "trigger_async_id_symbol"]);
    keepTickShape();
    expect(keptTickEntry()).toBe(entry);
    // A later tick (seen by a hook of the test's own) does not replace the entry kept.
    const seen: string[] = [];
    const watch = createHook({ init: (_id, type) => void seen.push(type) }).enable();
    await new Promise<void>((resolve) => process.nextTick(resolve));
    watch.disable();
    expect(seen).toContain("TickObject");
    expect(keptTickEntry()).toBe(entry);
  });
});
