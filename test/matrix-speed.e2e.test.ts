import { describeMatrix } from "./helpers/matrix.js";
import { SPEED, DEADLINE } from "./helpers/matrix-cases.js";

/** The verification matrix (test/helpers/matrix.ts): speed 20; a deadline. */
describeMatrix("speed 20; a deadline", [SPEED, DEADLINE]);
