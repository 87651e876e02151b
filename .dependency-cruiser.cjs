/**
 * The layers of apiwh, as `npm test` enforces them (test/layers.test.ts). Data flows one way:
 *
 *   cli ─► commands, views, serve ─► run, virtual ─► strategies, provider ─► shared vocabularies
 *      └──────────────► render (pure: result in, text out) ◄──────┘ (cli, commands, views, serve only)
 *
 * LAYERS lists exactly what each layer may import besides itself; anything else fails. On top of
 * that: no cycles; the provider and the strategies never import each other (they meet over HTTP
 * and in src/webhooks, src/http, src/api); render reads the contract and imports no I/O; run/
 * knows no screen; run/ and virtual/ are two engines that never import each other; and nothing
 * imports the CLI (src/cli.ts, src/cli/) but the CLI itself.
 */

/**
 * The shared vocabularies, bottom to top: each may import those before it (`base` is
 * src/errors.ts, src/version.ts and src/io.ts).
 */
const SHARED_ORDER = ["util", "base", "scenario", "http", "api", "contract", "webhooks", "measure", "policy", "model", "expect"];
const SHARED = Object.fromEntries(SHARED_ORDER.map((layer, i) => [layer, SHARED_ORDER.slice(0, i)]));
const SHARED_IO = SHARED_ORDER; // the sides and the engines may use any shared vocabulary

const LAYERS = {
  ...SHARED,
  // Render reads results and formats figures: the contract and the little it needs below it.
  render: ["contract", "api", "scenario", "util", "base"],
  strategies: SHARED_IO,
  provider: SHARED_IO,
  run: ["strategies", "provider", ...SHARED_IO],
  // apiwh probe: a sender of deliveries, right and wrong, to a user's receiver (an engine of its own).
  probe: SHARED_IO,
  virtual: SHARED_IO,
  commands: ["run", "virtual", "probe", "strategies", "provider", "render", ...SHARED_IO],
  views: ["run", "virtual", "render", ...SHARED_IO],
  // apiwh compare --serve: the classroom page's server, a view in a browser. It takes the run's
  // events and an engine from the CLI, so it needs neither engine itself.
  serve: ["render", ...SHARED_IO],
  cli: ["commands", "views", "serve", "run", "virtual", "probe", "strategies", "provider", "render", ...SHARED_IO],
};

const PATHS = {
  cli: "^src/(cli\\.ts$|cli/)",
  base: "^src/(errors|version|io)\\.ts$",
};
const pathOf = (layer) => PATHS[layer] ?? `^src/${layer}/`;

/** Node modules that reach outside the process: what a pure renderer must never touch. */
const IO_MODULES = "^(node:)?(fs|fs/promises|http|https|http2|net|tls|dgram|dns|child_process|cluster|worker_threads|perf_hooks|readline|tty|inspector)$|^undici$";

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "Modules never import each other round in a circle.", from: {}, to: { circular: true } },
    {
      name: "provider-not-strategies",
      severity: "error",
      comment: "The provider and its consumers meet only over HTTP and through the shared protocol modules.",
      from: { path: "^src/provider/" },
      to: { path: "^src/strategies/" },
    },
    {
      name: "strategies-not-provider",
      severity: "error",
      comment: "The provider and its consumers meet only over HTTP and through the shared protocol modules.",
      from: { path: "^src/strategies/" },
      to: { path: "^src/provider/" },
    },
    {
      name: "nothing-imports-cli",
      severity: "error",
      comment: "The CLI sits on top: nothing imports src/cli.ts or src/cli/ but the CLI itself (and bin/).",
      from: { pathNot: PATHS.cli },
      to: { path: PATHS.cli },
    },
    {
      name: "run-knows-no-screen",
      severity: "error",
      comment: "run/ emits events and results; rendering and views subscribe from above.",
      from: { path: "^src/(run|virtual)/" },
      to: { path: "^src/(render|views|serve)/" },
    },
    {
      name: "engines-apart",
      severity: "error",
      comment: "The real run and the virtual clock are two engines of one contract; the CLI picks one.",
      from: { path: "^src/run/" },
      to: { path: "^src/virtual/" },
    },
    {
      name: "engines-apart-virtual",
      severity: "error",
      comment: "The virtual clock replays the rules from the shared modules, never the real run, the strategies or the provider.",
      from: { path: "^src/virtual/" },
      to: { path: "^src/(run|strategies|provider)/" },
    },
    {
      name: "render-is-pure",
      severity: "error",
      comment: "render/ turns a result (contract types) into text: nothing from the engines, the sides or the CLI.",
      from: { path: "^src/render/" },
      to: { path: "^src/(cli|commands|views|serve|run|virtual|strategies|provider|measure|http|webhooks)([./]|$)" },
    },
    {
      name: "render-no-io",
      severity: "error",
      comment: "render/ does no I/O: no file, socket, process or timer-measuring module.",
      from: { path: "^src/render/" },
      to: { dependencyTypes: ["core", "npm", "npm-dev", "npm-no-pkg", "npm-unknown"], path: IO_MODULES },
    },
  ],
  allowed: [
    // Node's modules and the packages: anywhere (render's are limited by render-no-io above).
    { from: { path: "^src/" }, to: { dependencyTypes: ["core", "npm", "npm-dev"] } },
    ...Object.entries(LAYERS).map(([layer, may]) => ({
      comment: `${layer} may import ${[layer, ...may].join(", ")}`,
      from: { path: pathOf(layer) },
      to: { path: [layer, ...may].map(pathOf) },
    })),
  ],
  allowedSeverity: "error",
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/|^node_modules/|^(node:)?[a-z_]+$",
    // Type-only imports are dependencies too: a type in the wrong house is what this guards against.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
