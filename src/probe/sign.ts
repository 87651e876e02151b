/**
 * The probe's one door to the signing code. Everything under src/probe/ imports signatures from
 * here, so moving the signature module changes this line only.
 */
export { generateSecret, signStandard, signStripe, standardKey, TOLERANCE_SECONDS } from "../webhooks/signature.js";
