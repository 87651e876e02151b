import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport } from "../src/render/html.js";
import { renderSweepHtml } from "../src/render/html-sweep.js";
import { Timeline } from "../src/contract/timeline.js";
import { verdict } from "../src/contract/verdict.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import { sweep } from "./sweep-fixtures.js";

/**
 * The HTML report opened in Debian's Chromium (never a downloaded browser): the charts render,
 * the page logs no error and asks the network for nothing. Screenshots land in test-artifacts/.
 */
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = new URL("../test-artifacts/", import.meta.url);

// The provider runs in a worker loaded from dist/, so the run goes through the built code.
const built = (await import(new URL("../dist/run/compare.js", import.meta.url).href)) as typeof import("../src/run/compare.js");

interface Visit {
  page: Page;
  requests: string[];
  errors: string[];
}

describe("the HTML report in headless Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does; this test never downloads a browser`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function visit(file: URL): Promise<Visit> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(file.href, { waitUntil: "load" });
    return { page, requests, errors };
  }

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
      await page.screenshot({ path: new URL("report.png", ARTIFACTS).pathname, fullPage: true });
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
      await page.screenshot({ path: new URL("sweep.png", ARTIFACTS).pathname, fullPage: true });
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
