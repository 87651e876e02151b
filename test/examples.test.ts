import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { validateScenario } from "../src/scenario/validate.js";
import { parseExpectation, validatePaths } from "../src/expect/index.js";

const require = createRequire(import.meta.url);
const Ajv = require("ajv") as typeof import("ajv").default;
const dir = join(import.meta.dirname, "..", "examples");
const schema = JSON.parse(readFileSync(join(dir, "scenario.schema.json"), "utf8"));
const files = readdirSync(dir).filter((f) => /\.(json|ya?ml)$/.test(f) && !f.endsWith(".schema.json"));

describe("examples/", () => {
  it("has at least six scenarios", () => expect(files.length).toBeGreaterThanOrEqual(6));

  it.each(files)("%s validates against the published schema and the validator, with a description and expectations", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    const raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(raw), JSON.stringify(validate.errors)).toBe(true);
    const scenario = validateScenario(raw, file);
    expect(scenario.description.length).toBeGreaterThan(40);
    expect(scenario.expect.length).toBeGreaterThan(0);
    for (const e of scenario.expect) validatePaths(parseExpectation(e), scenario.strategies);
    if (file.endsWith(".json")) expect(raw.$schema).toBe("./scenario.schema.json");
  });
});
