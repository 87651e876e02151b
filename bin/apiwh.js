#!/usr/bin/env node
import("../dist/cli.js").then((cli) => cli.run(process.argv)).then((code) => { process.exitCode = code; });
