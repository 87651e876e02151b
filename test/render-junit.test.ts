import { describe, expect, it } from "vitest";
import type { ExpectationResult, ScenarioCheck } from "../src/contract/result.js";
import { escapeXml, renderJUnit } from "../src/render/junit.js";
import { brokenScenario, checkResult, failedRatio, heldLatency, heldMissed, mixedCheck, scenarioCheck } from "./render-fixtures.js";

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(text: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(text)) throw new Error(`bare & in ${JSON.stringify(text)}`);
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (_m, e: string) =>
    e.startsWith("#x") ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

/**
 * Just enough of an XML parser to prove the report well-formed: one root, tags that nest and
 * close, quoted attributes without raw `<`, known entities only, no character XML 1.0 forbids.
 */
function parseXml(xml: string): XmlElement {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml)) throw new Error("a character XML 1.0 forbids");
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, "");
  const stack: XmlElement[] = [{ name: "#document", attributes: {}, children: [], text: "" }];
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    const [, closing, name, attrText, selfClosing, text] = match;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      if (stack.length === 1 && text.trim() !== "") throw new Error("text outside the root");
      top.text += decode(text);
    } else if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attributes: Record<string, string> = {};
      for (const [, key, value] of attrText!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (key! in attributes) throw new Error(`duplicate attribute ${key}`);
        attributes[key!] = decode(value!);
      }
      const element: XmlElement = { name: name!, attributes, children: [], text: "" };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (consumed !== body.length) throw new Error(`cannot parse from ${JSON.stringify(body.slice(consumed, consumed + 40))}`);
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (stack[0]!.children.length !== 1) throw new Error("not exactly one root element");
  return stack[0]!.children[0]!;
}

const all = (root: XmlElement, name: string): XmlElement[] => [...(root.name === name ? [root] : []), ...root.children.flatMap((c) => all(c, name))];

describe("renderJUnit", () => {
  it("writes one testsuite per scenario and one testcase per expectation", () => {
    const xml = renderJUnit(mixedCheck);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const root = parseXml(xml);
    expect(root.name).toBe("testsuites");
    expect(root.attributes).toEqual({ name: "apiwh check", tests: "10", failures: "2", errors: "1", skipped: "0", time: "41.235" });
    const suites = root.children;
    expect(suites.map((s) => s.attributes.name)).toEqual(mixedCheck.scenarios.map((s) => s.name));
    expect(suites.map((s) => [s.attributes.tests, s.attributes.failures, s.attributes.errors])).toEqual([
      ["2", "0", "0"],
      ["1", "0", "0"],
      ["3", "2", "0"],
      ["1", "0", "0"],
      ["2", "0", "0"],
      ["1", "0", "1"],
    ]);
    expect(all(root, "testcase")).toHaveLength(10);
    expect(xml.match(/<testcase /g)).toHaveLength(10);
  });

  it("names each testcase by its expectation, classname apiwh.<scenario>, time in seconds", () => {
    const lazy = parseXml(renderJUnit(mixedCheck)).children[2]!;
    expect(lazy.attributes.time).toBe("9.413");
    expect(lazy.children.map((c) => c.attributes)).toEqual([
      { classname: "apiwh.lazy-poller", name: "webhook.latencyMs.p95 < 50ms", time: "3.138", file: "examples/lazy-poller.json" },
      { classname: "apiwh.lazy-poller", name: "polling.requests.total >= 10 * webhook.requests.total", time: "3.138", file: "examples/lazy-poller.json" },
      { classname: "apiwh.lazy-poller", name: "*.latencyMs.p99 < 500ms", time: "3.138", file: "examples/lazy-poller.json" },
    ]);
    expect(lazy.children[0]!.children).toEqual([]);
    const failure = lazy.children[2]!.children[0]!;
    expect(failure.name).toBe("failure");
    expect(failure.attributes.message).toBe("polling: got 991.7 ms, expected < 500 ms");
    expect(failure.text).toBe("polling: got 991.7 ms, expected < 500 ms\nwebhook: got 1.46 ms, expected < 500 ms");
  });

  it("gives a scenario that could not run one testcase with an error", () => {
    const broken = parseXml(renderJUnit(mixedCheck)).children[5]!;
    expect(broken.children).toHaveLength(1);
    const [error] = broken.children[0]!.children;
    expect(error!.name).toBe("error");
    expect(error!.attributes.message).toBe(brokenScenario.error);
  });

  it("escapes <, &, quotes and control characters so the expectation text reads back unchanged", () => {
    const tricky: ExpectationResult = { text: `polling.requests.total < 2 * webhook.requests.total && "quoted" 'too' <tag>`, ok: false, details: ["a < b & c > d\nsecond line", "\u001b[31mred\u001b[39m\ttab"] };
    const root = parseXml(renderJUnit(checkResult([scenarioCheck(`odd <"&'> name`, [tricky, heldMissed])])));
    const suite = root.children[0]!;
    expect(suite.attributes.name).toBe(`odd <"&'> name`);
    const testcase = suite.children[0]!;
    expect(testcase.attributes.classname).toBe(`apiwh.odd <"&'> name`);
    expect(testcase.attributes.name).toBe(tricky.text);
    expect(testcase.children[0]!.attributes.message).toBe("a < b & c > d\nsecond line");
    expect(testcase.children[0]!.text).toBe("a < b & c > d\nsecond line\n\\x1b[31mred\\x1b[39m\ttab");
  });

  it.each([
    ["a < b", false, "a &lt; b"],
    [`& " ' >`, false, "&amp; &quot; &apos; &gt;"],
    ["line\nbreak\ttab", false, "line\nbreak\ttab"],
    ["line\nbreak\ttab", true, "line&#10;break&#9;tab"],
    ["nul\u0000 esc\u001b", true, "nul\\x00 esc\\x1b"],
    ["lone \ud800 surrogate", false, "lone \\ud800 surrogate"],
    ["pair 😀 ok", false, "pair 😀 ok"],
  ])("escapeXml(%j, attribute %s)", (text, attribute, expected) => {
    expect(escapeXml(text, attribute)).toBe(expected);
  });

  it("an interrupted scenario's expectations are skipped, never failures, sharing its time; one that never started is one skipped testcase (issue 13, D4)", () => {
    const cut = scenarioCheck("checkout", [heldLatency, failedRatio], { status: "partial", durationMs: 4_000 });
    cut.result = { ...cut.result!, partial: true };
    const never: ScenarioCheck = { file: "examples/lazy.json", name: "examples/lazy.json", description: "", status: "partial", durationMs: 0, expectations: [] };
    const root = parseXml(renderJUnit(checkResult([cut, never, scenarioCheck("empty", [])])));
    expect(root.attributes).toMatchObject({ tests: "3", failures: "0", errors: "0", skipped: "3" });
    const suite = root.children;
    expect(suite[0]!.attributes).toMatchObject({ tests: "2", failures: "0", skipped: "2", time: "4.000" });
    expect(suite[0]!.children.map((c) => [c.attributes.name, c.attributes.time, c.children.map((k) => k.name)])).toEqual([
      [heldLatency.text, "2.000", ["skipped"]],
      [failedRatio.text, "2.000", ["skipped"]],
    ]);
    expect(suite[0]!.children[1]!.children[0]!.attributes.message).toBe("interrupted; expectations not judged");
    expect(all(root, "failure")).toEqual([]);
    expect(suite[1]!.attributes).toMatchObject({ name: "examples/lazy.json", tests: "1", failures: "0", skipped: "1" });
    expect(suite[1]!.children[0]!.attributes.name).toBe("run scenario");
    expect(suite[1]!.children[0]!.children[0]!.attributes.message).toBe("interrupted before it ran");
    expect(suite[2]!.attributes).toMatchObject({ name: "empty", tests: "0", failures: "0" });
    expect(suite[2]!.children).toEqual([]);
  });

  it("rejects what is not well-formed (the checker itself)", () => {
    expect(() => parseXml("<a><b></a>")).toThrow();
    expect(() => parseXml('<a x="1 & 2"/>')).toThrow();
    expect(() => parseXml("<a>\u0001</a>")).toThrow();
    expect(() => parseXml("<a/><b/>")).toThrow();
  });

  it("falls back to the expectation text for the message when there are no details", () => {
    const xml = renderJUnit(checkResult([scenarioCheck("x", [{ ...failedRatio, details: [] }])]));
    expect(parseXml(xml).children[0]!.children[0]!.children[0]!.attributes.message).toBe(failedRatio.text);
  });
});
