// Preload (`node --import`) that records every module the process imports, for the cold-start test:
// each URL the ESM loader resolves (the hooks thread appends it), then at exit the built-in modules
// this thread loaded, as `builtin:<name>`. The file is APIWH_IMPORT_LOG.
import { appendFileSync } from "node:fs";
import { register } from "node:module";

const file = process.env.APIWH_IMPORT_LOG;
if (file) {
  register("./record-imports-hooks.mjs", import.meta.url, { data: { file } });
  process.on("exit", () => {
    const builtins = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => `builtin:${m.slice("NativeModule ".length)}`);
    appendFileSync(file, builtins.join("\n") + "\n");
  });
}
