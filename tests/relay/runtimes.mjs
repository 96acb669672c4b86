// Starts the relay under miniflare (workerd): as a Worker and as a Pages Function (through the file Pages
// routes /api/* to), one instance each per entry of the JSON list in argv[2]. Prints {name: url} once
// ready, then serves until its standard input closes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const { Miniflare } = await import(path.resolve(process.env.MINIFLARE_MODULE, "dist", "src", "index.js"));
const entries = JSON.parse(readFileSync(process.argv[2], "utf8"));
const SCRIPTS = { worker: "relay/worker.mjs", pages: "tests/relay/pages-route.mjs" };
const running = {};
for (const entry of entries) {
  const mf = new Miniflare({
    name: entry.name,
    modules: true,
    modulesRoot: root,
    scriptPath: path.join(root, SCRIPTS[entry.kind]),
    modulesRules: [{ type: "ESModule", include: ["**/*.mjs", "**/*.js"] }],
    compatibilityDate: "2025-09-01",
    bindings: entry.bindings,
    host: "127.0.0.1",
    port: 0,
  });
  running[entry.name] = { mf, url: String(await mf.ready) };
}
console.log(JSON.stringify(Object.fromEntries(Object.entries(running).map(([k, v]) => [k, v.url]))));
process.stdin.resume();
process.stdin.on("end", async () => {
  for (const { mf } of Object.values(running)) await mf.dispose();
  process.exit(0);
});
