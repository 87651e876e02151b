import type { Io } from "../io.js";
import { UsageError } from "../errors.js";
import { quote } from "../scenario/echo.js";
import type { Scenario } from "../scenario/types.js";
import type { CompareFlags } from "./flags.js";

/**
 * `compare --webhook-url <url> --secret …`: the user's receiver in the loop. Checked before
 * anything runs: a URL the provider would deliver to (loopback only, as `apiwh provider` without
 * --allow-host: the same rule, src/provider/targets.ts), a signing secret from --secret,
 * --secret-file or APIWH_WEBHOOK_SECRET (never echoed), the real clock, and the webhook strategy
 * among those run. Undefined without --webhook-url.
 */
export async function externalReceiver(flags: CompareFlags, scenario: Scenario, io: Io): Promise<{ url: string; secret: string } | undefined> {
  if (flags.webhookUrl === undefined) {
    if (flags.secret !== undefined || flags.secretFile !== undefined) throw new UsageError(`${flags.secret !== undefined ? "--secret" : "--secret-file"} is the signing secret of a receiver given with --webhook-url; expected it with --webhook-url`);
    return undefined;
  }
  const shown = quote(flags.webhookUrl.slice(0, 80));
  let url: URL;
  try {
    url = new URL(flags.webhookUrl);
  } catch {
    throw new UsageError(`--webhook-url ${shown} is not a URL; expected one such as http://127.0.0.1:3000/webhooks`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--webhook-url ${shown} is not http or https; expected one such as http://127.0.0.1:3000/webhooks`);
  if (url.username || url.password) throw new UsageError(`--webhook-url must not carry credentials; expected one such as http://127.0.0.1:3000/webhooks`);
  const { TargetPolicy, TARGET_RULE } = await import("../provider/targets.js");
  const refused = await new TargetPolicy([]).refusal(url.hostname);
  if (refused) throw new UsageError(`--webhook-url ${shown} refused: ${refused}; ${TARGET_RULE}`);
  if (flags.clock === "virtual") throw new UsageError("--webhook-url needs the real clock: the virtual clock sends nothing; expected --clock real");
  if (flags.serve) throw new UsageError("--webhook-url does not combine with --serve; run it without --serve");
  if (!scenario.strategies.includes("webhook")) throw new UsageError(`--webhook-url delivers the webhook strategy's events, which this run does not include; expected webhook among --strategies`);
  const { resolveSecret, SECRET_ENV } = await import("../webhooks/secret.js");
  const resolved = await resolveSecret({ secret: flags.secret, secretFile: flags.secretFile, env: io.env });
  if (!resolved) throw new UsageError(`--webhook-url needs the receiver's signing secret; expected --secret-file <path>, ${SECRET_ENV} or --secret whsec_…`);
  return { url: url.href, secret: resolved.secret };
}
