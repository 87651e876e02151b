import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareDocument } from "../src/contract/result.js";
import type { ClassroomMessage } from "../src/contract/classroom.js";
import { formatCount } from "../src/contract/format.js";
import { msAsShown } from "./helpers/json-figures.js";
import { launchBrowser, openPage, painted, saveScreenshot } from "./helpers/browser.js";
import { readStream } from "./helpers/classroom-stream.js";

/**
 * `apiwh compare --serve` as a class would use it: the real CLI serves the page on 127.0.0.1, a
 * headless Chromium opens it, makes its guesses, runs, pauses, steps and replays; at Ctrl-C the
 * CLI prints the run's JSON, to which the page's counters are held. Every wait is for a real
 * condition on the page (a lane drawn, a counter's value, messages received), never a sleep.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Ctrl-C; resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

async function serve(...args: string[]): Promise<Served> {
  if (!existsSync(new URL("../dist/serve/classroom.js", import.meta.url))) throw new Error("dist/ is missing the classroom server; build first (npx tsc -p .)");
  const child = spawn(process.execPath, ["bin/apiwh.js", "compare", "examples/classroom.json", "--serve", "--port", "0", "--format", "json", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      err += d;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`apiwh exited ${code} before serving: ${err}`)));
  });
  return {
    child,
    url,
    stdout: () => out,
    stderr: () => err,
    interrupt: () => (child.kill("SIGINT"), exited),
  };
}

/** What each card shows, by strategy: the counters' text. */
async function counters(page: Page): Promise<Record<string, Record<string, string>>> {
  return page.$$eval(".card", (cards) =>
    Object.fromEntries(cards.map((card) => [card.getAttribute("data-strategy"), Object.fromEntries([...card.querySelectorAll("[data-counter]")].map((dd) => [dd.getAttribute("data-counter"), dd.textContent ?? ""]))])),
  );
}

const bodyNumber = (page: Page, key: "cursor" | "received") => page.evaluate(`Number(document.body.dataset.${key})`) as Promise<number>;

/** Per strategy, the last three messages that carried a p95, with their position in the log. */
function lastLatencies(messages: ClassroomMessage[]): string {
  const carried = messages
    .map((m, i) => ({ i, type: m.type, strategy: "strategy" in m ? m.strategy : undefined, c: "c" in m ? (m.c as { p95Text?: string; done?: boolean }) : undefined }))
    .filter((m) => m.c?.p95Text !== undefined);
  const strategies = [...new Set(carried.map((m) => m.strategy))];
  return JSON.stringify(strategies.map((s) => carried.filter((m) => m.strategy === s).slice(-3).map((m) => `#${m.i} ${String(m.type)} ${m.c!.p95Text} done=${m.c!.done}`)));
}

/** The page's figures as the terminal prints them, from the JSON. */
/** The page's counters as the JSON gives them; `shown`: what the page printed, for the latencies the JSON rounds (msAsShown). */
function expected(doc: CompareDocument, shown: Record<string, Record<string, string>>): Record<string, Record<string, string>> {
  return Object.fromEntries(
    doc.strategies.map((s) => [
      s.name,
      {
        requests: formatCount(s.requests.total),
        wasted: formatCount(s.requests.wasted),
        known: `${formatCount(s.payments.detected)}/${formatCount(s.payments.total)}`,
        p50: s.latencyMs ? msAsShown(shown[s.name]?.p50, s.latencyMs.p50) : "–",
        p95: s.latencyMs ? msAsShown(shown[s.name]?.p95, s.latencyMs.p95) : "–",
        missed: formatCount(s.payments.missed),
      },
    ]),
  );
}

function portIsFree(url: string): Promise<boolean> {
  const port = Number(new URL(url).port);
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });
}

describe("the classroom page (apiwh compare --serve) in headless Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("a real run: predictions, lanes and the sequence drawn, pause, step and replay, counters equal to the JSON, nothing beyond 127.0.0.1", async () => {
    const served = await serve("--speed", "4");
    const { page, requests, errors } = await openPage(browser, served.url, { width: 1280, height: 900 });
    try {
      await page.waitForSelector("body[data-state=idle]");
      expect(await page.textContent("#status")).toBe("ready: press Run");

      // Predict first: the room's guesses go in before the run.
      await page.check("#predict-toggle");
      await page.fill(".predict-row[data-strategy=polling] [data-guess=requests]", "9");
      await page.fill(".predict-row[data-strategy=polling] [data-guess=p50]", "1000");
      await page.fill(".predict-row[data-strategy=webhook] [data-guess=requests]", "3");
      await page.click("#run");

      // A lane drawn: the first empty poll of the polling band.
      await page.waitForSelector(".band[data-strategy=polling] circle.poll");
      // Measured in one go: the lanes are redrawn several times a second, so an element found a moment ago may be gone.
      const laidOut = await page.evaluate((selectors) => selectors.map((sel) => {
        const r = document.querySelector(sel)?.getBoundingClientRect();
        return { sel, width: r?.width ?? 0, height: r?.height ?? 0 };
      }), [".band[data-strategy=polling] > svg", "#sequence-svg", ".card[data-strategy=polling]"]);
      for (const box of laidOut) {
        expect(box.width, box.sel).toBeGreaterThan(200);
        expect(box.height, box.sel).toBeGreaterThan(60);
      }
      expect(await page.locator("#sequence-svg line.exchange").count()).toBeGreaterThan(0);

      // Pause: messages keep arriving, the counters and the lanes do not move.
      await page.click("#pause");
      const atPause = await counters(page);
      const cursor = await bodyNumber(page, "cursor");
      const received = await bodyNumber(page, "received");
      await page.waitForFunction((n) => Number(document.body.dataset.received) >= n + 5, received);
      expect(await counters(page)).toEqual(atPause);
      expect(await bodyNumber(page, "cursor")).toBe(cursor);
      // Step: one message at a time.
      await page.click("#step");
      await page.waitForFunction((n) => Number(document.body.dataset.cursor) === n + 1, cursor);
      expect(await counters(page)).not.toBe(undefined);
      await page.click("#pause");

      await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
      const final = await counters(page);
      // The guesses sit beside the measurement.
      expect(await page.textContent(".card[data-strategy=polling] [data-guess=requests]")).toBe("guess 9");
      expect(await page.textContent(".card[data-strategy=webhook] [data-guess=requests]")).toBe("guess 3");
      await painted(page);
      await saveScreenshot(page, "classroom.png");
      if (process.env.APIWH_UPDATE_SCREENS === "1") await page.screenshot({ path: new URL("../docs/screens/classroom.png", import.meta.url).pathname });

      // Replay at 4×: the counters start over, then come back to the same figures.
      await page.locator("#rate").fill("4");
      expect(await page.textContent("#rate-out")).toBe("4×");
      const played = await bodyNumber(page, "cursor");
      await page.click("#replay");
      // Back near the start: few messages played, polling's requests below the run's total.
      await page.waitForFunction((n) => Number(document.body.dataset.cursor) < n / 3, played);
      const early = await counters(page);
      expect(Number(early.polling!.requests === "–" ? 0 : early.polling!.requests)).toBeLessThan(Number(final.polling!.requests));
      await page.waitForFunction((n) => Number(document.body.dataset.cursor) === n && document.body.dataset.state === "done", played, { timeout: 30_000 });
      expect(await counters(page)).toEqual(final);
      // At the end the headline is the decision and the verdict's figures have a line of their own.
      const headline = await page.textContent("#status");
      const verdictLine = await page.textContent("#verdict");

      // What the server sent, read by a second subscriber (it gets the run's whole log): named when
      // the page's figures and the JSON disagree. It found why a p95 once read 15.4 ms on the page and
      // 15.5 ms in the JSON: the server sent 15.4 ms too, as the terminal prints the full figure, and
      // the JSON's figure, rounded to 3 decimals, formats to 15.5 ms; msAsShown allows for that rounding.
      const sent = await readStream(served.url, (m) => m.type === "done");
      const code = await served.interrupt();
      expect(code).toBe(130);
      const doc = JSON.parse(served.stdout()) as CompareDocument;
      expect(final, `the last latencies the server sent: ${lastLatencies(sent)}`).toEqual(expected(doc, final));
      expect(headline).toBe(`→ ${doc.recommendation}`);
      expect(verdictLine).toBe(doc.verdict);
      expect(await portIsFree(served.url)).toBe(true);

      expect(errors).toEqual([]);
      expect(requests.filter((r) => !r.startsWith(served.url))).toEqual([]);
    } finally {
      await page.close();
      served.child.kill("SIGKILL");
    }
  }, 90_000);

  it("--clock virtual: a playback of 2,000 payments; a page opened after the run shows its figures, equal to the JSON", async () => {
    const served = await serve("--clock", "virtual", "--payments", "2000", "--arrival", "20/s");
    const first = await openPage(browser, served.url);
    const late = { page: undefined as Page | undefined };
    try {
      await first.page.waitForSelector("body[data-state=idle]");
      await first.page.click("#run");
      // The simulation is done at once on the server; the page plays it back over seconds.
      await first.page.waitForSelector(".band[data-strategy=polling] circle.known");
      expect(await first.page.textContent("#line")).toContain("virtual clock");
      const opened = await openPage(browser, served.url);
      late.page = opened.page;
      await opened.page.waitForSelector("body[data-state=done]");
      const shown = await counters(opened.page);
      // Lanes for the first payments only.
      expect(await opened.page.locator(".band[data-strategy=polling] text", { hasText: /^pay_\d+$/ }).count()).toBe(30);
      const code = await served.interrupt();
      expect(code).toBe(130);
      expect(shown).toEqual(expected(JSON.parse(served.stdout()) as CompareDocument, shown));
      expect([...first.errors, ...opened.errors]).toEqual([]);
    } finally {
      await late.page?.close();
      await first.page.close();
      served.child.kill("SIGKILL");
    }
  }, 60_000);
});
