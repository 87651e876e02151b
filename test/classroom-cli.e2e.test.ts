import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

/**
 * The flags of the classroom's views, as a user mistypes them: one line naming what is wrong and
 * the form expected, exit 2, before anything runs (so each of these takes well under a second).
 */
describe("compare's view flags: mistakes are exit 2 before any run", () => {
  it("--trace with an id the run does not have names the ids it has", async () => {
    const r = await runCli(["compare", "examples/classroom.json", "--trace", "pay_9"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --trace "pay_9": no such payment in this run; expected one of pay_1, pay_2, pay_3 (or --trace alone for every payment)\n');
    expect(r.stdout).toBe("");
    // Many payments: the range, not the list.
    const many = await runCli(["compare", "--payments", "200", "--trace", "payment-3", "--clock", "virtual"]);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/expected one of pay_1, pay_2 … pay_200 /);
  });

  it("--port belongs to --serve; --serve does not combine with the terminal's views or with --repeat", async () => {
    const port = await runCli(["compare", "--port", "4330"]);
    expect(port.code).toBe(2);
    expect(port.stderr).toBe("error: --port 4330 is the classroom page's port; expected it with --serve\n");
    const mixed = await runCli(["compare", "--serve", "--live", "--repeat", "3"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toBe("error: --serve plays the run in a browser; it does not combine with --live, --repeat: run those without --serve\n");
  });

  it("--serve on a port in use says so", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      const r = await runCli(["compare", "--serve", "--port", String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: --port ${port}: the port is in use; choose another, or --port 0 for a free one\n`);
    } finally {
      taken.close();
    }
  });
});
