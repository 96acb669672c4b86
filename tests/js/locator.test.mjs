// A locator part: sealed for its first pack number, read into pack -> tag -> [offset, length]; malformed parts refused.
import assert from "node:assert/strict";
import test from "node:test";
import { aesKey, fromB64, fromHex, load, toHex, vector } from "./support.mjs";

const V = vector("locator");
const seal = await load("seal.js");
const packs = await load("packs.js");
const { Tampered } = await load("errors.js");
const key = await aesKey(fromB64(V.content_key));

test("a locator part opens for its own first pack number only", async () => {
  const plain = await seal.openSealed(key, seal.locAd(V.first), fromB64(V.blob));
  assert.equal(toHex(plain), V.plain);
  await assert.rejects(seal.openSealed(key, seal.locAd(V.first + 1), fromB64(V.blob)), Tampered);
});

test("its rows are Python's: shared tags and entries past 16 MiB left out", () => {
  const rows = packs.readLocator(fromHex(V.plain), V.first, V.end);
  const got = Object.fromEntries([...rows].map(([n, r]) => [String(n), Object.fromEntries(r)]));
  assert.deepEqual(got, V.rows);
  assert.deepEqual([...rows.keys()], [16, 17, 18, 19]);
});

test("a malformed part is refused as Tampered", () => {
  for (const bad of V.malformed) assert.throws(() => packs.readLocator(fromHex(bad.plain), V.first, V.end), Tampered, bad.why);
});

test("a record page's tag is the slot's bytes after the four that pick its pack", () => {
  const slot = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.equal(packs.locTag(slot), "040506");
  assert.equal(packs.packOfSlot(slot, 1000), 0x00010203 % 1000);
});
