/**
 * The health warnings the renderers print. They are computed once, in the contract
 * (src/contract/health.ts), so the run can record them in the JSON (`health.warnings`) and every
 * format prints the same sentences.
 */
export { DELAY_FLOOR_MS, SATURATED_UTILIZATION, healthWarnings, strategyWarnings, type HealthInput } from "../contract/health.js";
