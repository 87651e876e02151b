/**
 * The scenario's JSON Schema, generated from the declaration for editors (`npm run schema` writes
 * examples/scenario.schema.json; a test fails when the committed file is stale). It states what
 * JSON Schema can: types, names, enums, patterns and numeric ranges. The rules it cannot state
 * (ranges of durations and rates, order and overlap, base <= cap) are the validator's alone.
 */
import { z } from "zod";
import { declaration } from "./declaration.js";

export const SCHEMA_ID = "https://unpkg.com/apiwh/examples/scenario.schema.json";

export function scenarioJsonSchema(): Record<string, unknown> {
  const { $schema, description, ...generated } = z.toJSONSchema(declaration, { io: "input", target: "draft-7" }) as Record<string, unknown>;
  return { $schema, $id: SCHEMA_ID, title: "apiwh scenario", description, ...generated };
}

/** The file's text: two-space JSON and a final newline. */
export function scenarioSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
