import { describeMatrix } from "./helpers/matrix.js";
import { RATE_LIMIT, API_FAULTS } from "./helpers/matrix-cases.js";

/** The verification matrix (test/helpers/matrix.ts): a rate limit; API faults. */
describeMatrix("a rate limit; API faults", [RATE_LIMIT, API_FAULTS]);
