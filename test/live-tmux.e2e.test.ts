import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareDocument } from "../src/contract/result.js";
import { formatPercent } from "../src/contract/format.js";
import { msAsShown } from "./helpers/json-figures.js";

/**
 * The live view in a real terminal: the classroom scenario runs in a tmux pane of 100 × 32 (a
 * projector's terminal) and the test reads the screen with `capture-pane`, mid-run and at the
 * end. It drives the real CLI with `--format json` into a file, so the frame's counters can be
 * held to the JSON of the same run. NO_COLOR is set: the frame must read without colour.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ARTIFACTS = join(ROOT, "test-artifacts");
// A private server on its own socket, removed afterwards with its directory.
const DIR = mkdtempSync(join(tmpdir(), "apiwh-tmux-"));
const SOCKET = join(DIR, "socket");
const RESULT = join(DIR, "result.json");
const DONE = "__LIVE_DEMO_DONE__";
// 400 ms of one-way latency: at 100 columns a cell is about 100 ms, so each delivery lands cells after its settlement.
const COMMAND = `env -u FORCE_COLOR NO_COLOR=1 node bin/apiwh.js compare examples/classroom.json --live --speed 4 --latency 400ms --format json > ${RESULT}`;

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-S", SOCKET, ...args], { cwd: ROOT, encoding: "utf8" });
}

function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A pane's whole history and screen, as plain text. */
const screen = (pane = "live") => tmux("capture-pane", "-p", "-J", "-S", "-", "-t", pane);

async function waitFor(what: string, test: (text: string) => boolean, timeoutMs = 45_000, pane = "live"): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = screen(pane);
    if (test(text)) return text;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; the pane shows:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The summary row of a strategy: the last line that starts with its mark and name (the first is its band). */
function summaryRow(text: string, name: string): string[] {
  const rows = text.split("\n").filter((l) => new RegExp(`^[✓▸] ${name} `).test(l));
  return rows.at(-1)!.trim().split(/ {2,}/);
}

/** Keeps a frame for people: always in test-artifacts/, and in docs/screens/ when APIWH_UPDATE_SCREENS=1. */
function keep(name: string, text: string): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  const trimmed = text.replace(/\n+$/, "\n");
  writeFileSync(join(ARTIFACTS, name), trimmed);
  if (process.env.APIWH_UPDATE_SCREENS === "1") writeFileSync(join(ROOT, "docs", "screens", name), trimmed);
}

describe("live view in tmux (100 × 32)", () => {
  let midRun = "";
  let final = "";
  let cursorShown = "";
  let onTerminal = "";

  beforeAll(async () => {
    if (!hasTmux()) throw new Error("tmux is not installed; the live view's end-to-end test needs it: apt-get install tmux");
    if (!existsSync(new URL("../dist/views/live.js", import.meta.url))) throw new Error("dist/ is missing the live view; build first (npx tsc -p .)");
    tmux("new-session", "-d", "-x", "100", "-y", "32", "-s", "live", `${COMMAND}; echo ${DONE}; sleep 60`);
    // Beside it, a one-payment run printing its table format to the same terminal.
    tmux("new-session", "-d", "-x", "100", "-y", "32", "-s", "table", `env -u FORCE_COLOR NO_COLOR=1 node bin/apiwh.js compare --live --payments 1 --delay "fixed(200ms)" --interval 100ms --speed 2; echo ${DONE}; sleep 60`);
    // Mid-run: polling done and frozen, the webhook running, one of its payments known.
    midRun = await waitFor("polling frozen and the webhook running with a delivery drawn", (t) => /^✓ polling /m.test(t) && /^▸ webhook /m.test(t) && /^ {2}pay_\d .*↓/m.test(t));
    final = await waitFor("the run to finish", (t) => t.includes(DONE));
    onTerminal = await waitFor("the one-payment run to finish", (t) => t.includes(DONE), 45_000, "table");
    cursorShown = tmux("display-message", "-p", "-t", "live", "#{cursor_flag}").trim();
    keep("live-mid.txt", midRun);
    keep("live-final.txt", final.slice(0, final.indexOf(DONE)));
  }, 90_000);

  afterAll(() => {
    // Only the server on this test's own socket.
    if (existsSync(SOCKET)) execFileSync("tmux", ["-S", SOCKET, "kill-server"], { stdio: "ignore" });
    rmSync(DIR, { recursive: true, force: true });
  });

  it("mid-run: both strategies' bands on screen, the finished one frozen, lanes for every payment", () => {
    const lines = midRun.split("\n");
    expect(lines.filter((l) => /^✓ polling +0 s ┄+ \d+\.\d s$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^▸ webhook +0 s ┄+ \d+\.\d s$/.test(l))).toHaveLength(1);
    // Three lanes under each band; polling's show its empty polls (○) and the outcome asked for (●).
    expect(lines.filter((l) => /^ {2}pay_[123]\b/.test(l)).length).toBe(6);
    const pollingLanes = lines.slice(lines.findIndex((l) => l.startsWith("✓ polling")) + 1).slice(0, 3);
    for (const lane of pollingLanes) expect(lane).toMatch(/^ {2}pay_\d +○.*●$/);
    // The summary: polling's final row, the webhook's counting.
    expect(summaryRow(midRun, "polling")[0]).toBe("✓ polling");
    expect(summaryRow(midRun, "webhook")[0]).toBe("▸ webhook");
  });

  it("with latency, the trip shows: each delivery drawn cells after its settlement, the wait between", () => {
    const webhookLanes = final.split("\n").slice(final.split("\n").findIndex((l) => l.startsWith("✓ webhook")) + 1).slice(0, 3);
    for (const lane of webhookLanes) expect(lane).toMatch(/│━+↓$/);
  });

  it("at the end the summary's counters are the JSON's, the frame fits 32 rows and was drawn in place", () => {
    const doc = JSON.parse(readFileSync(RESULT, "utf8")) as CompareDocument;
    for (const s of doc.strategies) {
      const [, requests, wasted, , known, p50, p95, missed] = summaryRow(final, s.name);
      expect({ name: s.name, requests, wasted, known, p50, p95, missed }).toEqual({
        name: s.name,
        requests: String(s.requests.total),
        wasted: s.requests.wasted > 0 ? `${s.requests.wasted} (${formatPercent(s.requests.wasted, s.requests.total)})` : String(s.requests.wasted),
        known: `${s.payments.detected}/${s.payments.total}`,
        p50: msAsShown(p50, s.latencyMs!.p50),
        p95: msAsShown(p95, s.latencyMs!.p95),
        missed: String(s.payments.missed),
      });
    }
    const lines = final.slice(0, final.indexOf(DONE)).trimEnd().split("\n");
    // Redrawn in place: one frame in the history, not one per tick, and none of it scrolled away.
    expect(lines.filter((l) => /^✓ polling +0 s/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /▸ /.test(l))).toHaveLength(0);
    expect(lines.length).toBeLessThanOrEqual(32);
    expect(lines.at(-1)).toMatch(/^○ asked: pending +│ settled +━ client doesn't know yet +↓ delivered +● asked: known$/);
  });

  it("on the same terminal, stdout follows the frame with the verdict, not the full table", () => {
    const lines = onTerminal.slice(0, onTerminal.indexOf(DONE)).trimEnd().split("\n");
    const legend = lines.findIndex((l) => l.startsWith("○ asked"));
    expect(legend).toBeGreaterThan(0);
    // The verdict first, then any warning (a loaded machine), then where the full table is.
    expect(lines.slice(legend + 1).join("\n")).toMatch(/^\S[\s\S]*\n→ (use|poll)[\s\S]*\nThe full table: --table, or --format json\.$/);
    expect(onTerminal).not.toContain("┌");
  });

  it("gives the cursor back", () => {
    expect(cursorShown).toBe("1");
  });
});
