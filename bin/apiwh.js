#!/usr/bin/env node
import("../dist/cli.js").then((cli) => cli.run(process.argv), (err) => (process.stderr.write(`error: apiwh is not built (${err.code ?? err.message}); run npm install\n`), 1)).then((code) => (process.exitCode = code));
