/**
 * A headless browser for tests, never downloaded by a tool: a system Chrome or Chromium when one is
 * found, otherwise the Chromium that the `@sparticuz/chromium` devDependency ships inside its npm
 * package (so `npm ci` brings everything the browser tests need on Linux x64).
 *
 *   const browser = await launchBrowser();
 *   const { page, requests, errors } = await openPage(browser, fileUrl);
 *   await saveScreenshot(page, "report.png");
 *
 * When no browser can be found the launch throws one line naming the command that installs one,
 * so the test fails; it never skips.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

/** Where tests leave what a person may want to look at: screenshots, the HTML they opened. */
export const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url);

/** Checked in this order after `CHROME_PATH`. */
export const SYSTEM_BROWSERS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/usr/bin/chrome",
  "/opt/google/chrome/chrome",
  "/snap/bin/chromium",
];

/**
 * What every launch passes: no window, no sandbox (tests run as root in CI), and nothing that
 * reaches for the network on its own (QUIC, background updates, component updates, sync). Each
 * launch gets a fresh profile: Playwright makes a new --user-data-dir for every launch and
 * removes it on close (passing our own would make it refuse a non-persistent launch).
 */
export const CLOSED_NETWORK_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The package's recommended flags we leave out, and why:
 * - `--single-process` (a Lambda workaround): Chromium then exits when the first page's context
 *   closes, and the next `newPage()` fails with "Target page, context or browser has been closed".
 * - `--disable-features=` / `--enable-features=`: Chromium keeps the last of a repeated switch,
 *   so the package's short lists would replace Playwright's, which switch off the features that
 *   call out on start (OptimizationHints, NetworkTimeServiceQuerying, PreconnectToSearch…).
 * - `--disable-web-security`, `--allow-running-insecure-content`: a reader's browser enforces
 *   both, so the pages under test must work with them on.
 */
const DROPPED_PACKAGE_ARGS = [/^--single-process$/, /^--(disable|enable)-features=/, /^--disable-web-security$/, /^--allow-running-insecure-content$/];

export interface FoundBrowser {
  executablePath: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Where it came from, for messages: `CHROME_PATH`, a system path, or the npm package. */
  source: string;
}

/** The first system browser: `CHROME_PATH` if set (it must exist), then the usual paths. */
function systemBrowser(env: NodeJS.ProcessEnv): FoundBrowser | null {
  const fromEnv = env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist; point it at a Chrome or Chromium binary, or unset it to use the one \`npm ci\` installs`);
    return { executablePath: fromEnv, args: CLOSED_NETWORK_ARGS, source: "CHROME_PATH" };
  }
  const path = SYSTEM_BROWSERS.find((p) => existsSync(p));
  return path ? { executablePath: path, args: CLOSED_NETWORK_ARGS, source: path } : null;
}

type PackagedChromium = { executablePath(input?: string): Promise<string>; args: string[]; setGraphicsMode: boolean };

/**
 * The package's Chromium, unpacked once per package version into its own directory under the
 * temporary directory and reused by later runs. The package unpacks into `os.tmpdir()` and takes
 * any existing file there as done, so two test runs at once (or one killed mid-way) could launch a
 * half-written binary: here it unpacks into a private staging directory (TMPDIR pointed at it for
 * the call), marks it complete, then renames it into place; whoever renames first wins.
 */
async function packagedBrowser(): Promise<FoundBrowser> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve("@sparticuz/chromium");
  } catch {
    throw new Error("no Chrome or Chromium found (CHROME_PATH, /usr/bin/chromium…) and @sparticuz/chromium is not installed: run `npm ci`");
  }
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`no Chrome or Chromium found and the packaged Chromium runs on Linux x64 only (this is ${process.platform} ${process.arch}): set CHROME_PATH to a Chrome or Chromium binary`);
  }
  // The package does not export its package.json: find it above the entry point (build/ has its own, nameless).
  let version: string | undefined;
  for (let dir = dirname(entry); !version && dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(await readFile(file, "utf8")) as { name?: string; version?: string };
    if (manifest.name === "@sparticuz/chromium") version = manifest.version;
  }
  if (!version) throw new Error(`cannot find the version of @sparticuz/chromium above ${entry}: run \`npm ci\``);
  const { default: Chromium } = (await import("@sparticuz/chromium")) as unknown as { default: PackagedChromium };
  // No WebGL: the pages under test draw SVG, and software GL would only add flags and libraries.
  Chromium.setGraphicsMode = false;
  const args = [...Chromium.args.filter((a) => !DROPPED_PACKAGE_ARGS.some((re) => re.test(a))), ...CLOSED_NETWORK_ARGS];

  const home = join(tmpdir(), `apiwh-chromium-${version}`);
  const done = join(home, ".complete");
  if (!existsSync(done)) {
    await mkdir(dirname(home), { recursive: true });
    const staging = await mkdtemp(`${home}.staging-`);
    const previous = process.env.TMPDIR;
    try {
      process.env.TMPDIR = staging;
      const unpacked = await Chromium.executablePath();
      if (unpacked !== join(staging, "chromium")) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not into ${staging}`);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    // The package's fonts.conf names /tmp/fonts; ours names the fonts where they were unpacked,
    // after the system's own (if any), so text renders the same on a machine without fonts.
    await writeFile(
      join(staging, "fonts.conf"),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${join(home, "fonts", "fonts")}</dir>\n  <cachedir>${join(home, "fonts-cache")}</cachedir>\n</fontconfig>\n`,
    );
    await writeFile(join(staging, ".complete"), `${version}\n`);
    try {
      await rename(staging, home);
    } catch (err) {
      // Another run put a complete copy in place first (or a stale, incomplete one is in the way).
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(done)) throw new Error(`cannot unpack @sparticuz/chromium into ${home} (${(err as Error).message}); remove that directory and run again`);
    }
  }
  return { executablePath: join(home, "chromium"), args, env: { ...process.env, FONTCONFIG_FILE: join(home, "fonts.conf") }, source: `@sparticuz/chromium ${version}` };
}

/** A system browser if there is one, else the packaged Chromium (unpacked on first use, about 2 s). */
export async function findBrowser(env: NodeJS.ProcessEnv = process.env): Promise<FoundBrowser> {
  return systemBrowser(env) ?? (await packagedBrowser());
}

/** Launches headless Chromium through playwright-core with the browser `findBrowser` picks. */
export async function launchBrowser(): Promise<Browser> {
  const found = await findBrowser();
  try {
    return await chromium.launch({ executablePath: found.executablePath, args: found.args, env: found.env });
  } catch (err) {
    const first = String((err as Error).message).split("\n")[0];
    throw new Error(`cannot start ${found.executablePath} (${found.source}): ${first}`);
  }
}

export interface Visit {
  page: Page;
  /** Every URL the page asked for, the page itself first. */
  requests: string[];
  /** Console errors and warnings, and uncaught exceptions. */
  errors: string[];
}

/** Opens `url` in a new page of `width` × `height`, recording its requests and its errors from the start. */
export async function openPage(browser: Browser, url: URL | string, viewport = { width: 1280, height: 900 }): Promise<Visit> {
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(String(url), { waitUntil: "load" });
  return { page, requests, errors };
}

/**
 * Resolves once the page has produced a frame: the callback of a second animation frame runs
 * after the first was painted. Layout is ready at `load`; pixels may not be, and a screenshot
 * asked for before the first frame failed with "Unable to capture screenshot" on a loaded
 * machine (2 of 40 attempts with the load average near 7 on two cores; none of 160 after waiting).
 */
export async function painted(page: Page): Promise<void> {
  // A string, evaluated in the page: Node's types have no requestAnimationFrame.
  await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))");
}

/** Saves a full-page screenshot as test-artifacts/<name> once the page has painted; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = new URL(name, ARTIFACTS).pathname;
  await painted(page);
  await page.screenshot({ path, fullPage: true });
  return path;
}
