import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { loadScenarioFile, MAX_SCENARIO_BYTES, parseScenarioText } from "../src/scenario/load.js";
import { editDistance, MAX_COMPARED, nearest } from "../src/scenario/suggest.js";
import { validateScenario } from "../src/scenario/validate.js";

async function usageMessage(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a UsageError");
}

describe("line and column of a field at fault", () => {
  const json = ['{', '  "seed": 7,', '  "polling": {', '    "interval": "25d"', '  },', '  "webhook": { "retries": ["0s", "5s", "1s"] }', '}'].join("\n");
  const yaml = ["seed: 7", "polling:", "  interval: 25d", "webhook:", "  retries: [0s, 5s, 1s]", ""].join("\n");

  it.each<[string, string, "json" | "yaml", string]>([
    ["a value out of range (JSON)", json, "json", `s.json:4:17: polling.interval "25d" is out of range`],
    ["a value out of range (YAML)", yaml, "yaml", `s.yaml:3:13: polling.interval "25d" is out of range`],
    ["an entry of a list (JSON)", json.replace('"25d"', '"2s"'), "json", `s.json:6:40: webhook.retries[2] "1s" is shorter than the wait before it`],
    ["an entry of a list (YAML)", yaml.replace("25d", "2s"), "yaml", `s.yaml:5:21: webhook.retries[2] "1s" is shorter than the wait before it`],
    ["an unknown key, at the key", '{\n  "seed": 1,\n  "webhook": { "retires": "none" }\n}', "json", `s.json:3:16: unknown field "webhook.retires"; did you mean "webhook.retries"?`],
    ["a missing key, at its object", "faults:\n  webhook:\n    downtime:\n      - { from: 1s }\n", "yaml", `s.yaml:4:9: faults.webhook.downtime[0] {"from":"1s"} is missing "to"`],
    ["a rule across fields", '{ "polling-backoff": { "base": "2s", "cap": "1s" } }', "json", `s.json:1:45: polling-backoff.cap "1s" leaves the base above the cap`],
    ["the last of duplicate JSON keys, which JSON.parse keeps", '{ "seed": 1,\n  "seed": -1 }', "json", "s.json:2:11: seed -1 is not a seed"],
  ])("%s", async (_what, text, format, expected) => {
    const message = await usageMessage(() => parseScenarioText(text, `s.${format}`, format));
    expect(message.startsWith(expected), message).toBe(true);
  });

  it("YAML numbers are JSON numbers: hex, octal and .inf are refused where a number belongs", async () => {
    expect(await usageMessage(() => parseScenarioText("seed: 0x10\n", "s.yaml", "yaml"))).toBe(`s.yaml:1:7: seed "0x10" is not a seed; expected a whole number from 0 to 4,294,967,295`);
    expect(await usageMessage(() => parseScenarioText("payments: { count: 0o17 }\n", "s.yaml", "yaml"))).toMatch(/payments\.count "0o17" is not a payment count/);
    expect(await usageMessage(() => parseScenarioText("speed: .inf\n", "s.yaml", "yaml"))).toMatch(/speed "\.inf" is not a speed/);
    expect((await parseScenarioText("speed: 1e3\nseed: 012\n", "s.yaml", "yaml")).speed).toBe(1000);
  });
});

describe("nesting", () => {
  // 100,000 levels exhausted the stack ("Maximum call stack size exceeded", no file named) and the
  // YAML parser's heap; the limit is checked before either parser sees the text.
  it.each<[string, string, "json" | "yaml"]>([
    ["JSON objects", `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`, "json"],
    ["JSON lists", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, "json"],
    ["unclosed JSON lists", "[".repeat(100_000), "json"],
    ["YAML flow lists", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, "yaml"],
    // Once "Maximum call stack size exceeded" and exit 1: the message echoed the value with JSON.stringify.
    ["a list under a field", `{"seed": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`, "json"],
  ])("%s 100,000 deep: one line naming the file and where", async (_what, text, format) => {
    const message = await usageMessage(() => parseScenarioText(text, `deep.${format}`, format));
    expect(message).toMatch(new RegExp(`^deep\\.${format}:1:\\d+: nested deeper than 32 levels`));
  });

  it("YAML blocks nested by indentation", async () => {
    const text = Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " 1\n";
    expect(await usageMessage(() => parseScenarioText(text, "deep.yaml", "yaml"))).toMatch(/^deep\.yaml:33:\d+: nested deeper than 32 levels/);
  });

  it("brackets inside strings and comments do not count", async () => {
    const text = `# ${"[".repeat(50)}\nname: "${"{".repeat(50)}"\ndescription: '${"[".repeat(50)}'\n`;
    expect((await parseScenarioText(text, "s.yaml", "yaml")).name).toBe("{".repeat(50));
    expect((await parseScenarioText(JSON.stringify({ description: "[".repeat(50) }), "s.json", "json")).description).toBe("[".repeat(50));
  });
});

describe("files that are not scenarios", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "apiwh-load-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses /dev/zero without reading it", async () => {
    expect(await usageMessage(() => loadScenarioFile("/dev/zero"))).toBe(`scenario file "/dev/zero" is not a regular file (a device, pipe or socket); expected a .json, .yaml or .yml file`);
  });

  it("refuses a named pipe without waiting for a writer", async () => {
    const fifo = join(dir, "pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    expect(await usageMessage(() => loadScenarioFile(fifo))).toMatch(/is not a regular file/);
  });

  it("refuses a file over 1 MiB, naming its size and the limit", async () => {
    const big = join(dir, "big.json");
    await writeFile(big, JSON.stringify({ description: "x".repeat(MAX_SCENARIO_BYTES) }));
    expect(await usageMessage(() => loadScenarioFile(big))).toBe(`scenario file "${big}" is 1,048,594 bytes; scenario files are at most 1 MiB (1,048,576 bytes)`);
    // Just under the limit still loads.
    await writeFile(big, JSON.stringify({ description: "x".repeat(MAX_SCENARIO_BYTES - 100) }));
    expect((await loadScenarioFile(big)).description).toHaveLength(MAX_SCENARIO_BYTES - 100);
  });

  it("refuses text that is not UTF-8", async () => {
    const latin1 = join(dir, "latin1.yaml");
    await writeFile(latin1, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
    expect(await usageMessage(() => loadScenarioFile(latin1))).toMatch(/is not UTF-8 text/);
  });

  it("escapes a control character in a file's name", async () => {
    expect(await usageMessage(() => loadScenarioFile(join(dir, "\u001b[31mred.json")))).toContain("\\u001b[31mred.json");
  });
});

describe("suggestions cost the same whatever the length of the typo", () => {
  it("compares at most MAX_COMPARED characters", () => {
    const long = "settlement" + "x".repeat(1_000_000);
    expect(editDistance(long, "settlement")).toBe(MAX_COMPARED - "settlement".length);
    expect(editDistance(long, long + "y")).toBe(0);
    expect(nearest(long, ["settlement"])).toBeUndefined();
    expect(nearest("setlement", ["settlement"])).toBe("settlement");
  });

  // A 1 MB unknown key took 33 s and 638 MB (a full distance matrix per candidate). Now the key is
  // compared by its first 64 characters: this finishes within vitest's default 5 s timeout with
  // room to spare on a loaded machine, and the echo stays short.
  it("a 1 MB unknown key: one short line", () => {
    let message = "";
    try {
      validateScenario({ ["k".repeat(1_000_000)]: 1 }, "big.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^big\.json: unknown field "k{40}…"; expected one of \$schema, name/);
    expect(message.length).toBeLessThan(300);
  });

  it("a 1 MB unknown value of a choice", () => {
    let message = "";
    try {
      validateScenario({ strategies: ["w".repeat(1_000_000)] }, "big.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^big\.json: strategies\[0\] "w{40}…" is not a strategy; expected one of/);
  });
});
