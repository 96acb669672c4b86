// The normaliser and the query tokens on hostile strings: the same table as the index (tsunagu/search/textsearch.py).
import assert from "node:assert/strict";
import test from "node:test";
import { load, vector } from "./support.mjs";

const V = vector("text");
const tokens = await load("tokens.js");

for (const c of V.cases) {
  test(`text ${JSON.stringify(c.text)}`, () => {
    assert.equal(tokens.normalize(c.text), c.normalized);
    assert.deepEqual(tokens.queryWords(c.text, V.places, V.place_words), c.words);
    assert.deepEqual(tokens.queryTokens(c.text, V.places, V.place_words), c.tokens);
    assert.equal(tokens.exactToken(c.text), c.exact);
  });
}

test("every kept character is 5 hex digits wide, so a token's length tells a unigram from a bigram", () => {
  for (const c of V.cases) {
    for (const t of c.tokens) assert.ok(t.length === 6 || t.length === 11 || /^x[0-9a-f]{12}$/.test(t), `${c.text}: ${t}`);
  }
});
