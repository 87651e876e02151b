// Runs one standalone command from the built code as its own process:
//   node test/helpers/commands.mjs <provider|listen|pay|poll> '<options as JSON>'
// Until cli.ts wires `apiwh provider|listen|pay|poll`, the e2e tests start them through this.
const [command, json = "{}"] = process.argv.slice(2);
const commands = new Set(["provider", "listen", "pay", "poll"]);
if (!commands.has(command)) {
  process.stderr.write(`usage: commands.mjs <${[...commands].join("|")}> '<options json>'\n`);
  process.exit(2);
}
const module = await import(new URL(`../../dist/commands/${command}.js`, import.meta.url).href);
await module.main(JSON.parse(json));
