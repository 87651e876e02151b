// What not to do: a webhook receiver with the mistakes `apiwh probe` exists to catch, each marked ✗.
// Run: WEBHOOK_SECRET=whsec_… PORT=3001 node examples/receivers/broken-receiver.mjs
import { createHmac } from "node:crypto";
import { createServer } from "node:http";

const key = Buffer.from(process.env.WEBHOOK_SECRET.slice("whsec_".length), "base64");
const seen = new Set();

const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk)); // ✗ no size limit: any body is read whole
  req.on("end", () => {
    try {
      JSON.parse(body); // ✗ parsed before it is verified: a bad body throws, and answers 500
      const id = req.headers["webhook-id"];
      const [, signature] = (req.headers["webhook-signature"] ?? "").split(","); // ✗ only the first signature: rotation breaks
      const expected = createHmac("sha256", key).update(`${id}.${req.headers["webhook-timestamp"]}.${body}`).digest("base64");
      // ✗ no signature at all passes; a prefix of the right one passes; no timestamp check, so old deliveries replay
      if (signature && !expected.startsWith(signature.trim())) return res.writeHead(401).end();
      if (seen.has(id)) throw new Error(`duplicate ${id}`); // ✗ a retry of a processed event answers 500, so the sender retries for days
      seen.add(id);
      res.writeHead(200).end();
    } catch {
      res.writeHead(500).end();
    }
  });
});

server.listen(Number(process.env.PORT ?? 3001), "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks`));
