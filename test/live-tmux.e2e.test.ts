import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The live view in a real terminal: a short compare runs in a tmux pane (80 × 30) and the test
 * reads the screen with `capture-pane`. It drives the real CLI: `apiwh compare --live`.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COMMAND = "node bin/apiwh.js compare --live --payments 8 --speed 2";
// A private server on its own socket, removed afterwards with its directory.
const SOCKET_DIR = mkdtempSync(join(tmpdir(), "apiwh-tmux-"));
const SOCKET = join(SOCKET_DIR, "socket");
const DONE = "__LIVE_DEMO_DONE__";

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

/** The pane's whole history and screen, as plain text. */
const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "live");

async function waitFor(what: string, test: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (test(text)) return text;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; the pane shows:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("live view in tmux", () => {
  let midRun = "";
  let final = "";
  let cursorShown = "";

  beforeAll(async () => {
    if (!hasTmux()) throw new Error("tmux is not installed; the live view's end-to-end test needs it (apt-get install -y tmux)");
    if (!existsSync(new URL("../dist/views/live.js", import.meta.url))) throw new Error("dist/ is missing the live view; build first (npx tsc -p .)");
    tmux("new-session", "-d", "-x", "80", "-y", "30", "-s", "live", "-e", "NO_COLOR=", "-e", "FORCE_COLOR=", `${COMMAND}; echo ${DONE}; sleep 60`);
    // Every lane with its first empty poll drawn (the legend's own "·" is not one).
    midRun = await waitFor("a frame drawn mid-run", (t) => /▸ polling .*\n/.test(t) && Array.from({ length: 8 }, (_, i) => new RegExp(`^pay_${i + 1} +·`, "m")).every((lane) => lane.test(t)));
    final = await waitFor("the run to finish", (t) => t.includes(DONE));
    cursorShown = tmux("display-message", "-p", "-t", "live", "#{cursor_flag}").trim();
  }, 60_000);

  afterAll(() => {
    // Only the server on this test's own socket.
    if (existsSync(SOCKET)) execFileSync("tmux", ["-S", SOCKET, "kill-server"], { stdio: "ignore" });
    rmSync(SOCKET_DIR, { recursive: true, force: true });
  });

  it("mid-run: the running strategy's counters, the next one queued, a lane per payment with empty polls", () => {
    expect(midRun).toMatch(/^▸ polling +\d+ req +\d+\/8 settled +\d+\/8 detected +\d+\.\d s$/m);
    expect(midRun).toMatch(/^ {2}webhook +queued$/m);
    for (let i = 1; i <= 8; i++) expect(midRun).toMatch(new RegExp(`^pay_${i} +·`, "m"));
    expect(midRun).toMatch(/^polling +0 s ┄+ \d+\.\d s$/m);
  });

  it("the final frame stays on screen, drawn in place once, above the results", () => {
    const lines = final.split("\n");
    const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
    // Redrawn in place: one frame in the history, not one per tick.
    expect(count(/^✓ polling +\d+ req +8\/8 settled +8\/8 detected/)).toBe(1);
    expect(count(/^✓ webhook +\d+ req +8\/8 settled +8\/8 detected/)).toBe(1);
    expect(count(/^· asked, no news +│ settled +↓ delivered +● detected/)).toBe(1);
    expect(count(/▸ /)).toBe(0);
    // The webhook's lanes: the moment each outcome was known.
    expect(count(/^pay_\d +.*[●✗]/)).toBe(8);
    const legend = lines.findIndex((l) => l.startsWith("· asked"));
    const table = lines.findIndex((l) => l.startsWith("checkout · 8 payments"));
    expect(table).toBeGreaterThan(legend);
    expect(lines.slice(0, legend).some((l) => l.includes("┌"))).toBe(false);
  });

  it("gives the cursor back", () => {
    expect(cursorShown).toBe("1");
  });
});
