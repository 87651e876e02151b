import type { CheckResult, ExpectationResult, ScenarioCheck } from "../contract/result.js";
import { holdCount } from "./expectations.js";
import { formatSeconds } from "../contract/format.js";
import { recommendation, verdict } from "../contract/verdict.js";

/**
 * Why a failed scenario failed when none of its expectations did: `apiwh check` also fails a run
 * that was cut short, because its figures cover only part of the scenario. Null otherwise.
 */
export function failureBeyondExpectations(s: ScenarioCheck): string | null {
  if (s.status !== "failed" || s.expectations.some((e) => !e.ok)) return null;
  return "the scenario failed although every expectation held";
}

/**
 * Why a scenario has no verdict of its own: it was interrupted (status `partial`), so its
 * expectations were not judged. Null for any other status.
 */
export function interruptedNote(s: ScenarioCheck): string | null {
  if (s.status !== "partial") return null;
  return s.result ? "interrupted; expectations not judged" : "interrupted before it ran";
}

export function failedExpectations(s: ScenarioCheck): ExpectationResult[] {
  return s.expectations.filter((e) => !e.ok);
}

/** `3/3`: expectations that held, of all the scenario's. */
export function heldOfTotal(s: ScenarioCheck): string {
  return `${s.expectations.length - failedExpectations(s).length}/${s.expectations.length}`;
}

/** `6 scenarios: 5 passed, 1 failed · 17 of 18 expectations hold · 41.2 s` (errors only when there are some). */
export function checkSummary(check: CheckResult): string {
  const { scenarios, passed, failed, errors, expectations, expectationsFailed } = check.summary;
  const counts = [`${passed} passed`, `${failed} failed`];
  if (errors > 0) counts.push(`${errors} ${errors === 1 ? "error" : "errors"}`);
  if (check.summary.partial > 0) counts.push(`${check.summary.partial} interrupted`);
  const held = expectations === 0 ? "no expectations" : holdCount(expectations - expectationsFailed, expectations);
  // A fast-mode check says so: its figures leave the machine out.
  const clock = check.scenarios.some((s) => s.result?.clock === "virtual") ? " · virtual clock" : "";
  return `${scenarios} ${scenarios === 1 ? "scenario" : "scenarios"}: ${counts.join(", ")} · ${held} · ${formatSeconds(check.durationMs)}${clock}`;
}

/** The verdict of a scenario's run, computed here at render time; empty when it could not run. */
export function scenarioVerdict(s: ScenarioCheck): string {
  return s.result ? verdict(s.result) : "";
}

/** The recommendation of a scenario's run, computed at render time; empty when it could not run. */
export function scenarioRecommendation(s: ScenarioCheck): string {
  return s.result ? recommendation(s.result) : "";
}
