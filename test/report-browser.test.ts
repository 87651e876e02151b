import { mkdir, writeFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport } from "../src/render/html.js";
import { renderSweepHtml } from "../src/render/html-sweep.js";
import { Timeline } from "../src/contract/timeline.js";
import { verdict } from "../src/contract/verdict.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import { ARTIFACTS, findBrowser, launchBrowser, openPage, painted, saveScreenshot } from "./helpers/browser.js";
import { seven } from "./render-fixtures.js";
import { sweep } from "./sweep-fixtures.js";

/**
 * The HTML report opened in headless Chromium (a system one, else the one `npm ci` unpacks from
 * @sparticuz/chromium; never a downloaded browser): the charts render, what a reader compares
 * comes first, wide tables fit a 1,280 px screen, the chart's counts are the table's, the page
 * logs no error and asks the network for nothing. Screenshots land in test-artifacts/ (and in
 * docs/screens/ for the README when APIWH_UPDATE_SCREENS=1).
 */

// The provider runs in a worker loaded from dist/, so the run goes through the built code.
const built = (await import(new URL("../dist/run/compare.js", import.meta.url).href)) as typeof import("../src/run/compare.js");

describe("the HTML report in headless Chromium", () => {
  let browser: Browser;

  // Unpacking the packaged Chromium takes about 2 s the first time; launching, under a second.
  beforeAll(async () => {
    browser = await launchBrowser();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const visit = (file: URL) => openPage(browser, file);

  /** Width and height of every element matching `selector`, as laid out. */
  async function boxes(page: Page, selector: string): Promise<Array<{ width: number; height: number; top: number; right: number }>> {
    return page.$$eval(selector, (els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { width: r.width, height: r.height, top: r.top + window.scrollY, right: r.right };
      }),
    );
  }

  it("a report from a real short run: verdict, cards and timeline first, charts drawn, counts as the table's, nothing fetched", async () => {
    const scenario = defaultScenario();
    scenario.payments.count = 8;
    scenario.settlement.delay = parseDistribution("uniform(200ms, 1s)");
    scenario.polling.intervalMs = 200;
    scenario.deadlineMs = 5_000;
    const timeline = new Timeline(scenario.speed);
    const result = await built.compare(scenario, { host: "127.0.0.1", webhookPort: 0, details: false, onEvent: timeline.listener });
    const file = new URL("report.html", ARTIFACTS);
    await writeFile(file, renderHtmlReport(result, timeline.strategies));

    const { page, requests, errors } = await visit(file);
    try {
      // Requests, the CDF and one timeline panel per strategy.
      const charts = await boxes(page, "figure.chart > svg");
      expect(charts).toHaveLength(4);
      for (const box of charts) {
        expect(box.width).toBeGreaterThan(300);
        expect(box.height).toBeGreaterThan(100);
      }
      expect((await boxes(page, "path.series")).filter((b) => b.width > 0)).toHaveLength(4);
      // Every payment has a lane with a detection mark in both panels.
      expect(await boxes(page, "figure.chart > svg circle.known")).toHaveLength(16);
      expect((await boxes(page, "figure.chart > svg circle.poll")).length).toBeGreaterThan(8);
      expect(await page.locator("p.verdict").textContent()).toBe(verdict(result));

      // First the verdict, the cards and the per-payment timeline; the full table last.
      const top = async (selector: string) => (await boxes(page, selector))[0]!.top;
      expect(await top("section.cards")).toBeGreaterThan(await top("p.verdict"));
      expect(await top("figure.timeline")).toBeGreaterThan(await top("section.cards"));
      expect(await top("table.compare")).toBeGreaterThan(await top("figure.timeline"));
      // The timeline starts within the first screen and a half of a 1280 × 900 window.
      expect(await top("figure.timeline")).toBeLessThan(1_350);

      // The chart counts what the table counts: each line's end label is the strategy's requests.total.
      const ends = await page.$$eval("figure.chart text.end-label", (els) => els.map((el) => el.textContent ?? ""));
      for (const s of result.strategies) expect(ends, s.name).toContain(`${s.name} ${s.requests.total}`);
      const cards = await page.$$eval("section.cards .card", (els) => els.map((el) => [el.getAttribute("data-strategy"), el.querySelector('[data-figure="requests"]')?.textContent]));
      expect(cards).toEqual(result.strategies.map((s) => [s.name, String(s.requests.total)]));
      // Count axes tick on whole numbers.
      const ticks = await page.$$eval("figure.chart:not(.timeline) svg", (svgs) => [...svgs[0]!.querySelectorAll("text.tick[text-anchor=end]")].map((t) => t.textContent ?? ""));
      for (const t of ticks) expect(t).toMatch(/^\d+$/);

      await painted(page);
      // Painted, not only laid out: as PNG, the requests chart (axes, labels, series) took about
      // 18 kB here and a blank area of its size about 2 kB; 4× holds for any chart with ink.
      const chartBox = (await page.locator("figure.chart:not(.timeline) > svg").first().boundingBox())!;
      const chart = await page.locator("figure.chart:not(.timeline) > svg").first().screenshot();
      const blank = await page.screenshot({ clip: { x: 0, y: 0, width: chartBox.width, height: chartBox.height }, style: "body > * { visibility: hidden }" });
      expect(chart.length).toBeGreaterThan(4 * blank.length);
      const shot = await saveScreenshot(page, "report.png");
      if (process.env.APIWH_UPDATE_SCREENS === "1") {
        await page.screenshot({ path: new URL("../docs/screens/report.png", import.meta.url).pathname, clip: { x: 0, y: 0, width: 1280, height: 1_250 } });
      }
      expect(shot).toMatch(/report\.png$/);
      expect(errors).toEqual([]);
      expect(requests).toEqual([file.href]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("seven strategies fit a 1,280 px screen: the table splits, nothing scrolls sideways", async () => {
    const file = new URL("report-seven.html", ARTIFACTS);
    await writeFile(file, renderHtmlReport(seven, []));
    const { page, errors } = await visit(file);
    try {
      const width = await page.evaluate("document.documentElement.scrollWidth");
      expect(width).toBeLessThanOrEqual(1_280);
      const tables = await boxes(page, "table.compare");
      expect(tables).toHaveLength(2);
      for (const t of tables) expect(t.right).toBeLessThanOrEqual(1_280);
      expect(await boxes(page, "section.cards .card")).toHaveLength(7);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  it("the sweep report: the trade-off chart drawn, nothing fetched", async () => {
    const file = new URL("sweep.html", ARTIFACTS);
    await writeFile(file, renderSweepHtml(sweep));
    const { page, requests, errors } = await visit(file);
    try {
      const charts = await boxes(page, "figure.chart > svg");
      expect(charts).toHaveLength(1);
      expect(charts[0]!.width).toBeGreaterThan(300);
      expect(charts[0]!.height).toBeGreaterThan(100);
      for (const box of await boxes(page, "path.series")) expect(box.width).toBeGreaterThan(0);
      await saveScreenshot(page, "sweep.png");
      expect(errors).toEqual([]);
      expect(requests).toEqual([file.href]);
    } finally {
      await page.close();
    }
  }, 30_000);

  it("prints in grey: charts laid out, series told apart by dash, text near-black", async () => {
    const file = new URL("report.html", ARTIFACTS);
    const { page, errors } = await visit(file);
    try {
      await page.emulateMedia({ media: "print" });
      for (const box of await boxes(page, "figure.chart > svg")) expect(box.height).toBeGreaterThan(50);
      // In each line chart, no two series share a dash pattern: grey ink still tells them apart.
      const dashes = await page.$$eval("figure.chart:not(.timeline) svg", (svgs) => svgs.map((svg) => [...svg.querySelectorAll("path.series")].map((p) => getComputedStyle(p).strokeDasharray)));
      for (const chart of dashes) expect(new Set(chart).size).toBe(chart.length);
      // Muted text prints dark enough for a grey printer (no lighter than #444).
      const muted = await page.$eval("p.caption", (el) => getComputedStyle(el).color);
      const [r, g, b] = muted.match(/\d+/g)!.map(Number);
      expect(Math.max(r!, g!, b!)).toBeLessThanOrEqual(0x44);
      const pdf = await page.pdf({ format: "A4" });
      expect(pdf.byteLength).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});
describe("finding a browser", () => {
  it("a CHROME_PATH that does not exist fails in one line naming it, never falling back in silence", async () => {
    const error = await findBrowser({ CHROME_PATH: "/nonexistent/chrome" }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(error).toMatch(/^CHROME_PATH=\/nonexistent\/chrome does not exist; .*`npm ci`/);
    expect(error).not.toContain("\n");
  });
});
