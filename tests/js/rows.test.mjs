// Composites as the service worker reads them: each skeleton of tests/vectors/rows.json with its rows put back from
// the store parts gives the file as rendered; a missing row is refused.
import assert from "node:assert/strict";
import test from "node:test";
import { fromB64, load, vector } from "./support.mjs";

const V = vector("rows");
const rows = await load("rows.js");
const { Tampered } = await load("errors.js");

/** A store part as sw-read.js returns it. */
const reader = (stores) => async (store, part) => ({ parts: stores[store].length, body: fromB64(stores[store][part]) });

test("every composite of the vectors assembles to the file as rendered", async () => {
  for (const f of V.files) {
    const pieces = await rows.assemble(fromB64(f.skeleton), reader(V.stores));
    assert.deepEqual(Buffer.from(await new Blob(pieces).arrayBuffer()), Buffer.from(fromB64(f.plain)), f.path);
  }
});

test("a row missing from its store part is refused", async () => {
  const emptied = Object.fromEntries(Object.entries(V.stores).map(([s, parts]) => [s, parts.map(() => "")]));
  await assert.rejects(rows.assemble(fromB64(V.files[0].skeleton), reader(emptied)), Tampered);
});
