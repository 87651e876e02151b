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
import { sweep } from "./sweep-fixtures.js";

/**
 * The HTML report opened in headless Chromium (a system one, else the one `npm ci` unpacks from
 * @sparticuz/chromium; never a downloaded browser): the charts render, the page logs no error and
 * asks the network for nothing. Screenshots land in test-artifacts/.
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
  async function boxes(page: Page, selector: string): Promise<Array<{ width: number; height: number }>> {
    return page.$$eval(selector, (els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { width: r.width, height: r.height };
      }),
    );
  }

  it("a report from a real short run: charts drawn, no console error, no request beyond the file", async () => {
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
      const series = await boxes(page, "path.series");
      expect(series).toHaveLength(4);
      for (const box of series) expect(box.width).toBeGreaterThan(0);
      // Every payment has a lane with a detection mark in both panels.
      expect(await boxes(page, "figure.chart > svg circle.known")).toHaveLength(16);
      expect((await boxes(page, "figure.chart > svg circle.poll")).length).toBeGreaterThan(8);
      expect(await page.locator("table.compare").count()).toBe(1);
      expect(await page.locator("p.verdict").textContent()).toBe(verdict(result));
      // Painted, not only laid out: as PNG, the requests chart (axes, labels, two series) took
      // about 18 kB here and a blank area of its size about 2 kB; 4× holds for any chart with ink.
      await painted(page);
      const chart = await page.locator("figure.chart > svg").first().screenshot();
      const blank = await page.screenshot({ clip: { x: 0, y: 0, width: charts[0]!.width, height: charts[0]!.height }, style: "body > * { visibility: hidden }" });
      expect(chart.length).toBeGreaterThan(4 * blank.length);
      await saveScreenshot(page, "report.png");
      expect(errors).toEqual([]);
      expect(requests).toEqual([file.href]);
    } finally {
      await page.close();
    }
  }, 60_000);

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

  it("prints: the charts stay laid out under print media", async () => {
    const file = new URL("report.html", ARTIFACTS);
    const { page, errors } = await visit(file);
    try {
      await page.emulateMedia({ media: "print" });
      for (const box of await boxes(page, "figure.chart > svg")) expect(box.height).toBeGreaterThan(50);
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
