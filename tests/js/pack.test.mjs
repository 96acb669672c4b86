// A small built site read as the service worker reads it: root manifest, pack directories, entries, files of their own,
// the locator, and each path's keyed slot and pack.
import assert from "node:assert/strict";
import test from "node:test";
import { aesKey, fromB64, fromHex, load, toHex, vector } from "./support.mjs";

const V = vector("pack");
const seal = await load("seal.js");
const packs = await load("packs.js");
const { sha256hex } = await load("bytes.js");
const { Tampered } = await load("errors.js");
const W = await load("wire.js");
const key = await aesKey(fromB64(V.content_key));
const group = await seal.hmacKey(fromB64(V.group_key));
const file = (name) => fromB64(V.files[name]);

const rootBlob = file(V.root_name);
const root = packs.readRoot(await seal.openSealed(key, seal.rootAd(), rootBlob));

/** The plaintext of one part of a path, found and checked as sw-read.js does. */
async function read(path, part) {
  const solo = root.solo.find((e) => e.path === path && e.part === part);
  if (solo) {
    const blob = file(packs.fileName(solo.digest));
    assert.equal(blob.length, solo.length);
    assert.ok((await sha256hex(blob)).startsWith(solo.digest));
    return seal.openSealed(key, seal.entryAd(path, part, solo.parts), blob);
  }
  const number = packs.packOfSlot(await packs.slotOf(group, path, part), root.packs), d = root.dirs[number];
  const pack = file(packs.fileName(d.digest)), dirBlob = pack.subarray(d.offset, d.offset + d.length);
  assert.equal(d.offset + d.length, pack.length);
  assert.ok((await sha256hex(dirBlob)).startsWith(d.digest));   // the pack's name is its directory's hash
  const rows = packs.readDirectory(await seal.openSealed(key, seal.dirAd(number), dirBlob));
  assert.deepEqual(rows.map((r) => Object.values(r)), V.directories[String(number)]);
  const e = rows.find((r) => r.path === path && r.part === part);
  const blob = pack.subarray(e.offset, e.offset + e.length);
  assert.equal(await sha256hex(blob), e.sha256);
  return seal.openSealed(key, seal.entryAd(path, part, e.parts), blob);
}

test("the root manifest: its hash is the one keys.json binds, and it reads as Python wrote it", async () => {
  assert.equal(await sha256hex(rootBlob), V.root_sha256);
  assert.equal(root.packs, V.root.packs);
  assert.equal(root.group, V.root.group);
  assert.deepEqual(root.dirs.map((d) => d && Object.values(d)), V.root.dirs);
  assert.deepEqual(root.solo.map((e) => Object.values(e)), V.root.solo);
  assert.deepEqual(root.loc.map((e) => Object.values(e)), V.root.loc);
  assert.deepEqual(root.frg.map((d) => d && Object.values(d)), V.root.frg);
  await assert.rejects(seal.openSealed(key, seal.dirAd(0), rootBlob), Tampered);   // the root is not a directory
});

test("every path's slot, placement and pack number", async () => {
  for (const p of V.paths) {
    const slot = await packs.slotOf(group, p.path, 0);
    assert.equal(toHex(slot), p.slot);
    assert.equal(packs.placement(p.path), p.placement);
    for (const [count, number] of Object.entries(p.packs)) assert.equal(packs.packOfSlot(slot, Number(count)), number);
  }
  const [page, fragment] = ["r/k3j2.html", "pagefind/fragment/zz_k3j2.pf_fragment"].map((path) => V.paths.find((p) => p.path === path));
  assert.equal(fragment.slot, page.slot);   // a record's fragment lives with its page
});

test("every path reads back its plaintext, solo files and packed entries alike", async () => {
  for (const p of V.paths) {
    assert.deepEqual(await read(p.path, 0), fromB64(p.plain), p.path);
    assert.equal(Boolean(root.solo.find((e) => e.path === p.path)), p.solo, p.path);
    assert.equal(packs.isRecord(p.path), p.path.startsWith("r/"));
  }
});

test("the locator gives each record page's place in its pack, as the directory does", async () => {
  let located = 0;
  for (const part of root.loc) {
    const blob = file(packs.fileName(part.digest));
    assert.ok((await sha256hex(blob)).startsWith(part.digest));
    const rows = packs.readLocator(await seal.openSealed(key, seal.locAd(part.first), blob), part.first, part.end);
    for (const p of V.paths.filter((x) => packs.isRecord(x.path))) {
      const slot = fromHex(p.slot), number = packs.packOfSlot(slot, root.packs);
      if (number < part.first || number >= part.end) continue;
      const [offset, length] = rows.get(number).get(packs.locTag(slot));
      const entry = V.directories[String(number)].find((e) => e[W.ENTRY_ROW.indexOf("path")] === p.path);
      assert.deepEqual([offset, length], ["offset", "length"].map((f) => entry[W.ENTRY_ROW.indexOf(f)]));
      located++;
    }
  }
  assert.equal(located, V.paths.filter((x) => packs.isRecord(x.path)).length);
});

test("a pack's fragment list gives each search fragment's place and hash, as the directory does", async () => {
  const fragments = V.paths.filter((x) => packs.isFragment(x.path));
  assert.ok(fragments.length > 0);
  for (const p of fragments) {
    const slot = fromHex(p.slot), number = packs.packOfSlot(slot, root.packs), d = root.dirs[number], f = root.frg[number];
    const pack = file(packs.fileName(d.digest)), listBlob = pack.subarray(f.offset, f.offset + f.length);
    assert.ok((await sha256hex(listBlob)).startsWith(f.digest));   // checked against the root manifest
    assert.equal(f.offset + f.length, d.offset);   // just before the directory
    await assert.rejects(seal.openSealed(key, seal.frgAd(number + 1), listBlob), Tampered);   // not another pack's
    const rows = packs.readFragments(await seal.openSealed(key, seal.frgAd(number), listBlob));
    const [offset, length, hash] = rows.get(packs.locTag(slot));
    const entry = V.directories[String(number)].find((e) => e[W.ENTRY_ROW.indexOf("path")] === p.path);
    assert.deepEqual([offset, length], ["offset", "length"].map((f) => entry[W.ENTRY_ROW.indexOf(f)]));
    assert.equal(hash.length, W.SHORT_HASH_HEX);
    assert.ok(entry[W.ENTRY_ROW.indexOf("sha256")].startsWith(hash));
    const blob = pack.subarray(offset, offset + length);
    assert.ok((await sha256hex(blob)).startsWith(hash));
    assert.deepEqual(await seal.openSealed(key, seal.entryAd(p.path, 0, 1), blob), fromB64(p.plain));
  }
  const holding = new Set(fragments.map((x) => packs.packOfSlot(fromHex(x.slot), root.packs)));
  root.frg.forEach((f, number) => assert.equal(f !== null, holding.has(number), `pack ${number}`));   // none without fragments
});

test("a malformed fragment list is refused as Tampered", () => {
  assert.throws(() => packs.readFragments(new Uint8Array(W.FRG_ROW_BYTES + 1)), Tampered);
  assert.equal(packs.readFragments(new Uint8Array(0)).size, 0);
});

test("a bundle gives each shard's index chunk; a malformed one is refused as Tampered", () => {
  const magic = new TextEncoder().encode(W.BUNDLE_MAGIC);
  const head = new Uint8Array(4 + 3 * 4), data = new DataView(head.buffer);
  data.setUint32(0, 3); data.setUint32(4, 2); data.setUint32(8, 0); data.setUint32(12, 1);
  const bundle = new Uint8Array([...magic, ...head, 7, 8, 9]);
  assert.deepEqual(packs.readBundle(bundle).map((c) => [...c]), [[7, 8], [], [9]]);
  assert.throws(() => packs.readBundle(bundle.subarray(0, bundle.length - 1)), Tampered);
  assert.throws(() => packs.readBundle(new Uint8Array([...bundle, 0])), Tampered);
  assert.throws(() => packs.readBundle(bundle.subarray(1)), Tampered);
  assert.ok(new RegExp(W.BUNDLED).test("pagefind/s3/index/zz_i0012.pf_index"));
  assert.deepEqual([...new RegExp(W.BUNDLED).exec("pagefind/index/zz_i0012.pf_index")].slice(1), [undefined, "zz_i0012.pf_index"]);
  assert.ok(!new RegExp(W.BUNDLED).test("pagefind/bundle/zz_i0012.pf_index"));
});
