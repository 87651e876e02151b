import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { BatchedLines } from "../src/commands/provider.js";

const BIN = fileURLToPath(new URL("../bin/apiwh.js", import.meta.url));

/** `apiwh provider` on a free port; resolves with its URL once the banner is out. */
function provider(args: string[]) {
  const child = spawn(process.execPath, [BIN, "provider", "--port", "0", ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`provider exited before listening: ${err}`)));
  });
  return { url, exited, stdout: () => out, stderr: () => err, waitFor: (pattern: RegExp) => waitFor(child.stdout, () => out, pattern), interrupt: () => child.kill("SIGINT") };
}

function waitFor(stream: NodeJS.ReadableStream, text: () => string, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!pattern.test(text())) return;
      stream.off("data", check);
      resolve();
    };
    stream.on("data", check);
    check();
  });
}

async function create(url: string): Promise<string> {
  const res = await request(`${url}/payments`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"amount":1000,"currency":"usd"}' });
  return ((await res.body.json()) as { id: string }).id;
}

async function get(url: string, id: string): Promise<void> {
  await (await request(`${url}/payments/${id}`)).body.dump();
}

describe("apiwh provider's log", () => {
  it("--quiet prints no request line, but settlements and the count of requests served", async () => {
    const p = provider(["--quiet"]);
    const url = await p.url;
    const id = await create(url);
    for (let i = 0; i < 3; i++) await get(url, id);
    // The built-in scenario settles within 4 s: the settlement line still prints under --quiet.
    await p.waitFor(new RegExp(`${id} settled`));
    p.interrupt();
    expect(await p.exited, p.stderr()).toBe(130);
    expect(p.stdout()).not.toContain("client → provider");
    expect(p.stdout()).toMatch(/stopped: 1 payment, 4 requests served, /);
    expect(p.stderr()).toBe("");
  }, 20_000);

  it("writes every request's line in batches, all of them out by the time Ctrl-C has stopped it", async () => {
    const p = provider([]);
    const url = await p.url;
    const id = await create(url);
    const polls = 300;
    for (let i = 0; i < polls; i++) await get(url, id);
    // At once after the last answer: lines still waiting in the batch must come out before the last line.
    p.interrupt();
    expect(await p.exited, p.stderr()).toBe(130);
    const lines = p.stdout().trimEnd().split("\n");
    const polled = lines.filter((l) => l.includes(`client → provider  GET /payments/${id}  200 `));
    expect(polled).toHaveLength(polls);
    // Each shows the payment's status as the answer carried it (the cached answer is read by the log too).
    for (const line of polled) expect(line).toMatch(/ 200 (pending|succeeded|failed) /);
    expect(lines.filter((l) => l.includes("POST /payments  201 pay_1 pending"))).toHaveLength(1);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^stopped: 1 payment, ${polls + 1} requests served, `));
  }, 30_000);
});

describe("BatchedLines", () => {
  function sink() {
    const writes: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, done) => (writes.push(String(chunk)), done()) });
    return { stream, writes };
  }

  it("writes nothing per line, a batch once it outgrows its size, and the rest on flush or close", () => {
    const { stream, writes } = sink();
    const log = new BatchedLines(stream, 60_000, 20);
    log.add("one");
    log.add("two");
    expect(writes).toEqual([]);
    log.add("three four five six");
    expect(writes).toEqual(["one\ntwo\nthree four five six\n"]);
    log.add("seven");
    log.close();
    expect(writes).toEqual(["one\ntwo\nthree four five six\n", "seven\n"]);
    // After close, a line goes out at once (the provider's last line).
    log.add("stopped");
    expect(writes[writes.length - 1]).toBe("stopped\n");
  });

  it("flushes on its timer when lines stop coming", async () => {
    const { stream, writes } = sink();
    const log = new BatchedLines(stream, 5, 1 << 20);
    log.add("alone");
    expect(writes).toEqual([]);
    // Waits for the write itself, however late a loaded machine runs the timer.
    while (writes.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(writes).toEqual(["alone\n"]);
    log.close();
  });
});
