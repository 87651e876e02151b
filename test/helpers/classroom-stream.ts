import { request } from "undici";
import type { ClassroomMessage } from "../../src/contract/classroom.js";

/** Reads the classroom's `GET /events` until `until` holds for a message; returns every message read. */
export async function readStream(url: string, until: (m: ClassroomMessage) => boolean): Promise<ClassroomMessage[]> {
  const controller = new AbortController();
  const res = await request(new URL("/events", url), { signal: controller.signal });
  const out: ClassroomMessage[] = [];
  let buffer = "";
  try {
    for await (const chunk of res.body) {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (!data) continue;
        const m = JSON.parse(data.slice(6)) as ClassroomMessage;
        out.push(m);
        if (until(m)) return out;
      }
    }
  } finally {
    controller.abort();
  }
  return out;
}
