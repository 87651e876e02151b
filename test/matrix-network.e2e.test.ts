import { describeMatrix } from "./helpers/matrix.js";
import { LATENCY, WEBHOOK_FAULTS } from "./helpers/matrix-cases.js";

/** The verification matrix (test/helpers/matrix.ts): latency and jitter; webhook faults. */
describeMatrix("latency and jitter; webhook faults", [LATENCY, WEBHOOK_FAULTS]);
