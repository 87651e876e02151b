// A webhook receiver that passes every check of `apiwh probe`, on node:http and the
// `standardwebhooks` package. Run: WEBHOOK_SECRET=whsec_… PORT=3000 node examples/receivers/receiver.mjs
import { createServer } from "node:http";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

const webhook = new Webhook(process.env.WEBHOOK_SECRET); // whsec_… (the key is its base64-decoded part)
const MAX_BODY = 1024 * 1024; // Standard Webhooks payloads stay under about 20 kB
const processed = new Map(); // webhook-id → { times, payment }: keep ids for days in a real store
const payments = new Map(); // payment id → { status, time } of the newest event applied

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  const answer = (status, headers = {}) => res.writeHead(status, headers).end();
  // For `apiwh probe --observe http://…/observe`: what was done with an event. Keep it out of production.
  if (req.method === "GET" && url.pathname === "/observe") {
    const seen = processed.get(url.searchParams.get("id"));
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ processed: seen?.times ?? 0, status: (seen && payments.get(seen.payment)?.status) ?? null }));
  }
  if (req.method !== "POST" || url.pathname !== "/webhooks") return answer(404);
  if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) return answer(415);
  // Too large: refuse before reading, and close rather than drain.
  if (Number(req.headers["content-length"]) > MAX_BODY) return answer(413, { connection: "close" });
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
    else if (!res.headersSent) {
      answer(413, { connection: "close" });
      req.pause(); // read no more of it
    }
  });
  req.on("end", () => {
    if (res.headersSent) return;
    let event;
    try {
      // Verify the raw body first: signature (any of several, in constant time) and timestamp (±5 min).
      event = webhook.verify(Buffer.concat(chunks).toString("utf8"), req.headers);
    } catch (err) {
      return answer(err instanceof WebhookVerificationError ? 401 : 400); // 400: signed, but not JSON
    }
    if (typeof event?.data?.id !== "string") return answer(400);
    const id = req.headers["webhook-id"];
    // Each event once, however often it is delivered; an older event never overwrites a newer one.
    if (!processed.has(id)) {
      processed.set(id, { times: 1, payment: event.data.id });
      const time = Date.parse(event.timestamp);
      const known = payments.get(event.data.id);
      if (!known || known.time <= time) payments.set(event.data.id, { status: event.data.status, time });
    }
    answer(204); // at once: do slow work after answering, from a queue
  });
});

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks`));
