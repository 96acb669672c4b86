// @ts-check
/** The reader: the plaintext of a logical path of the current build, every part found, checked and decrypted. */
import { Tampered } from "./errors.js";
import { entryKey, fileName, isFragment, isRecord, locTag, packOf, packOfSlot, readBundle, slotOf } from "./packs.js";
import { entryAd, openSealed, readSections } from "./seal.js";
import { checked, current, directory, fragmentList, openBuild, slice } from "./sw-build.js";
import { BUNDLE_DIR, BUNDLED, DICT_PATH, RECORD_DIR, ROWS_DIR } from "./wire.js";
import { assemble } from "./rows.js";
import { concat } from "./bytes.js";

/** @typedef {import("./sw-build.js").Build} Build */

/** The dictionary's sections, read once per build (record pages and fragments are deflated against them).
    @param {Build} b @returns {Promise<Uint8Array<ArrayBuffer>[]>} */
export function sections(b) {
  if (!b.sections) {
    b.sections = readFile(b, DICT_PATH).then(async (body) => {
      if (!body) throw new Tampered("no dictionary");
      return readSections(new Uint8Array(await body.arrayBuffer()));
    });
    b.sections.catch(() => { b.sections = null; });   // offline: tried again next time
  }
  return b.sections;
}

/** One part of a logical file, or null if the build has no such part. @param {Build} b @param {string} path @param {number} part
    @returns {Promise<{ parts: number, body: Uint8Array<ArrayBuffer> } | null>} */
async function readPart(b, path, part) {
  const dict = path === DICT_PATH ? null : () => sections(b);
  if (dict && isRecord(path)) dict().catch(() => {});   // fetched beside the page, not after it (cached once read)
  const solo = b.solo.get(entryKey(path, part));   // an entry that is a file of its own
  if (solo) {
    const blob = await checked(fileName(solo.digest), 0, solo.length, solo.digest, { whole: true });
    return { parts: solo.parts, body: await openSealed(b.key, entryAd(path, part, solo.parts), blob, dict) };
  }
  const slot = await slotOf(b.group, path, part), number = packOfSlot(slot, b.root.packs);
  const pack = b.root.dirs[number];
  // A search result's fragment: where its pack's fragment list says, checked against the hash the list gives.
  const listed = pack && part === 0 && isFragment(path) ? (await fragmentList(b, number)).get(locTag(slot)) : null;
  if (pack && listed) {
    const blob = await checked(fileName(pack.digest), listed[0], listed[1], listed[2]);
    return { parts: 1, body: await openSealed(b.key, entryAd(path, 0, 1), blob, dict) };
  }
  // A record page fetched beside its directory, where the locator says it is; used if the directory agrees.
  const hit = isRecord(path) && pack && b.loc.get(number)?.get(locTag(slot));
  const early = pack && hit ? slice(fileName(pack.digest), hit[0], hit[1], false, true) : null;
  if (early) early.catch(() => {});
  const dir = await directory(b, number);
  const e = dir && dir.entries.get(entryKey(path, part));
  if (!dir || !e) return null;
  const agrees = hit && e.offset === hit[0] && e.length === hit[1];
  const blob = await checked(dir.name, e.offset, e.length, e.sha256, { fetched: agrees ? early : null });
  return { parts: e.parts, body: await openSealed(b.key, entryAd(path, part, e.parts), blob, dict) };
}

/** Every part of a logical path, checked, in order; null if the build has no such path. @param {Build} b @param {string} path */
async function readParts(b, path) {
  const first = await readPart(b, path, 0);
  if (!first) return null;
  const rest = await Promise.all(Array.from({ length: first.parts - 1 }, (_, i) => readPart(b, path, i + 1)));
  if (rest.some((next) => !next || next.parts !== first.parts)) throw new Tampered("missing part");
  return [first.body, ...rest.map((next) => /** @type {{ body: Uint8Array<ArrayBuffer> }} */ (next).body)];
}

const SHARD_CHUNK = new RegExp(BUNDLED);
const KEPT_BUNDLES = 16;   // opened bundles kept for the shards' requests that follow (Pagefind asks for each one once)

/** The shards' files of one bundle (an index chunk, a filter or the meta file of every shard: tsunagu/search/bundle.py),
    read once for all the shards asking for theirs at the same time. @param {Build} b @param {string} name @returns {Promise<Uint8Array<ArrayBuffer>[] | null>} */
function bundle(b, name) {
  const known = b.bundles.get(name);
  if (known) return known;
  const pending = readFile(b, BUNDLE_DIR + name).then(async (body) => body && readBundle(new Uint8Array(await body.arrayBuffer())));
  pending.catch(() => b.bundles.delete(name));
  b.bundles.set(name, pending);
  for (const old of b.bundles.keys()) if (b.bundles.size > KEPT_BUNDLES) b.bundles.delete(old);
  return pending;
}

/** The plaintext of a logical path, every part checked (a composite with its rows put back: tsunagu/seal/rows.py;
    a shard's index chunk from its bundle); null if the build has no such path. @param {Build} b @param {string} path */
export async function readFile(b, path) {
  const chunk = SHARD_CHUNK.exec(path);
  const fromBundle = async (/** @type {RegExpExecArray} */ c) => {
    const chunks = await bundle(b, c[2]);
    const mine = chunks && chunks[Number(c[1] || 0)];
    return mine && mine.length ? new Blob([mine]) : null;   // empty: the shard has no such file
  };
  const first = chunk && (chunk[1] || b.solo.has(entryKey(BUNDLE_DIR + chunk[2], 0))) ? await fromBundle(chunk) : null;
  if (first) return first;
  const bodies = await readParts(b, path);
  if (!bodies) return chunk && !chunk[1] ? fromBundle(chunk) : null;   // the root index's chunk in a crowded site: its bundle packed
  if (bodies[0][0] !== 0 || path.startsWith(ROWS_DIR)) return new Blob(bodies);
  return new Blob(await assemble(concat(...bodies), async (store, part) => {
    const got = await readPart(b, store, part);
    if (!got) throw new Tampered("missing rows");
    return got;
  }));
}

/** A file from the current build. A page view fetches keys.json again; meanwhile the page is read from the
    build in memory, used only if keys.json has not changed (so an unchanged build costs no round trip).
    @param {{ page: boolean, path: string }} target */
export async function readLatest(target) {
  const guess = target.page ? current() : null;
  const early = guess ? readFile(guess, target.path) : null;
  if (early) early.catch(() => {});   // judged below, only if this build is still the current one
  const b = await openBuild(target.page);
  return { b, body: await (early && b === guess ? early : readFile(b, target.path)) };
}

/** The directories of the packs holding record pages linked on the reader's screen (app.js): fetched and
    kept now, so opening one of those pages needs only its own entry. @param {unknown[]} paths */
export async function warm(paths) {
  try {
    const b = await openBuild(false);
    const pages = paths.filter(/** @returns {p is string} */ (p) => typeof p === "string" &&
      p.startsWith(RECORD_DIR) && /^[a-z0-9]+\.html$/.test(p.slice(RECORD_DIR.length)) && !b.solo.has(entryKey(p, 0)));
    const packs = new Set(await Promise.all(pages.map((p) => packOf(b.group, b.root.packs, p, 0))));
    await Promise.all([...packs].map((n) => directory(b, n).catch(() => null)));
  } catch (e) { /* locked or offline: nothing to warm */ }
}
