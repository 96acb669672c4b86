// @ts-check
/** Build and verify: the build to read from (keys.json, epoch, root manifest), pack directories, the locator,
    and every byte checked against its hash before it is decrypted or cached. */
import { b64, sha256hex } from "./bytes.js";
import { Locked, Rollback, Tampered, Unavailable, UnsafeKeys } from "./errors.js";
import { entryKey, fileName, readDirectory, readFragments, readLocator, readRoot } from "./packs.js";
import { checkKeys, dirAd, frgAd, hmacKey, locAd, openSealed, rootAd, unwrapContentKey } from "./seal.js";
import { clearSession, getSession, isRollback, noteEpoch } from "./session.js";
import { SCOPE, siteUrl } from "./sw-route.js";
import { cached, drop, evict, keepIfRoom } from "./sw-store.js";
import { FILE_DIR, FILE_SUFFIX, SHORT_HASH_HEX } from "./wire.js";

/**
 * One opened build: its key, its root manifest, and what has been read of it so far.
 * @typedef {{ keysText: string, tag: string, rootDigest: string, epoch: number, key: CryptoKey, root: import("./packs.js").Root,
 *   group: CryptoKey, dirs: Map<number, Promise<Directory | null>>, loc: Map<number, Map<string, [number, number]>>,
 *   frgs: Map<number, Promise<Map<string, [number, number, string]>>>,
 *   bundles: Map<string, Promise<Uint8Array<ArrayBuffer>[] | null>>,
 *   locating: Promise<void> | null, solo: Map<string, import("./packs.js").SoloRow>, evicted: boolean,
 *   sections: Promise<Uint8Array<ArrayBuffer>[]> | null }} Build
 * @typedef {{ name: string, entries: Map<string, import("./packs.js").EntryRow> }} Directory
 * @typedef {{ bytes: Uint8Array<ArrayBuffer>, key: string, cachedAs: string | null }} Slice  bytes and where they were (or go) in the cache
 */

/** @type {Build | null} */
let build = null;          // the build last opened
/** @type {import("./session.js").Session | null} */
let session = null;

/** The build in memory, if any (a page view may read from it while keys.json is checked). */
export const current = () => (session ? build : null);

/** Forget the key and the build (logout, or a new unlock). */
export function forget() { build = null; session = null; }

/** Whether bytes are what a digest says: a whole SHA-256, or its first 128 bits (a file's name).
    @param {Uint8Array<ArrayBuffer>} bytes @param {number} length @param {string} digest */
async function matches(bytes, length, digest) {
  const sized = (digest.length === SHORT_HASH_HEX || digest.length === 64) && bytes.length === length;
  return sized && (await sha256hex(bytes)).slice(0, digest.length) === digest;
}

/** Bytes of a file from the cache: the slice itself, or the whole file (saved by 「この端末に保存」).
    @param {string} url @param {string} key @param {number} offset @param {number} length @returns {Promise<Slice | null>} */
async function fromCache(url, key, offset, length) {
  const slice = await cached(key);
  if (slice) return { bytes: new Uint8Array(await slice.arrayBuffer()), key, cachedAs: key };
  const whole = key === url ? null : await cached(url);
  if (whole) return { bytes: new Uint8Array(await whole.arrayBuffer()).slice(offset, offset + length), key, cachedAs: url };
  return null;
}

/** Bytes of a file from the host: a Range request, or the whole file where a host ignores Range. An entry fetched
    early goes past the HTTP cache, which holds a 2nd request for an address until the 1st ends.
    @param {string} url @param {string} key @param {number} offset @param {number} length @param {boolean} whole @param {boolean} early */
async function fromHost(url, key, offset, length, whole, early) {
  const headers = whole ? undefined : { Range: `bytes=${offset}-${offset + length - 1}` };
  const res = await fetch(url, { headers, credentials: "same-origin", cache: early ? "no-store" : "default" });
  if (!res.ok) throw new Unavailable(`${url}: ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { bytes: res.status === 206 || whole ? bytes : bytes.slice(offset, offset + length), key, cachedAs: null };
}

/** Bytes [offset, offset + length) of a sealed file, not yet checked. @param {string} name @param {number} offset
    @param {number} length @param {boolean} [whole] the file is exactly these bytes @param {boolean} [early] @returns {Promise<Slice>} */
export async function slice(name, offset, length, whole = false, early = false) {
  const url = siteUrl(name), key = whole ? url : `${url}?range=${offset}-${length}`;
  return (await fromCache(url, key, offset, length)) || fromHost(url, key, offset, length, whole, early);
}

/**
 * The bytes, checked against their digest before anything else: a damaged cached copy is dropped and fetched again,
 * and only checked bytes are cached.
 * @param {string} name @param {number} offset @param {number} length @param {string} digest
 * @param {{ whole?: boolean, fetched?: Promise<Slice> | null }} [how]
 */
export async function checked(name, offset, length, digest, how = {}) {
  let got = await (how.fetched || slice(name, offset, length, how.whole));
  if (got.cachedAs && !(await matches(got.bytes, length, digest))) {
    await drop(got.cachedAs);
    got = await slice(name, offset, length, how.whole);
  }
  if (!(await matches(got.bytes, length, digest))) throw new Tampered(`${name}: hash mismatch`);
  if (!got.cachedAs) keepIfRoom(got.key, new Response(got.bytes));
  return got.bytes;
}

/** Whether the last page view could fetch keys.json from the host, and when it last could (ms, 0 if
    unknown): a host that withholds it would otherwise freeze the device on its cached build, silently. */
let check = { failed: false, at: 0 };
const CHECKED = "keys.json?checked";   // the time of the last fetch that worked, kept across restarts

/** @returns {{ failed: boolean, at: number }} */
export const freshness = () => check;

/** @param {boolean} ok whether keys.json came from the host */
async function noteCheck(ok) {
  if (ok) {
    check = { failed: false, at: Date.now() };
    keepIfRoom(siteUrl(CHECKED), new Response(String(check.at)));
    return;
  }
  const kept = check.at || Number(await (await cached(siteUrl(CHECKED)))?.text()) || 0;
  check = { failed: true, at: kept };
}

/** The text of keys.json: from the host when fresh (the cached copy offline), else the cached copy. @param {boolean} fresh
    @returns {Promise<string>} */
async function keysJson(fresh) {
  const url = siteUrl("keys.json");
  if (fresh) {
    try {
      const res = await fetch(url, { cache: "no-store", credentials: "same-origin" });
      if (res.ok) {
        const text = await res.text();
        await noteCheck(true);
        return text;
      }
    } catch (e) { /* offline: the last keys.json seen */ }
    await noteCheck(false);
  }
  const hit = await cached(url);
  if (hit) return hit.text();
  if (!fresh) return keysJson(true);
  throw new Locked("no keys.json");
}

/** keys.json's JSON, or UnsafeKeys when it is not JSON. @param {string} text */
function parsed(text) {
  try { return JSON.parse(text); } catch (e) { throw new UnsafeKeys("keys.json is not JSON"); }
}

/** The build to read from: keys.json checked, its epoch not older than any seen, its manifest verified.
    @param {boolean} fresh a page view: keys.json is fetched again @returns {Promise<Build>} */
export async function openBuild(fresh) {
  // Every page view reads the stored key again: logout in another tab, or expiry, takes effect at once
  // (an expired key is deleted there, not just ignored).
  session = !fresh && session && session.expires > Date.now() ? session : await getSession();
  if (!session) { build = null; throw new Locked("no session"); }
  // Pagefind's many requests use the build a page view just checked (this worker's only copy of keys.json).
  if (build && !fresh) return build;
  const text = await keysJson(fresh || !build);
  if (build && build.keysText === text) return build;
  const keys = checkKeys(parsed(text));
  if (await isRollback(keys)) throw new Rollback("an older build, or another of the same epoch, than one already seen");
  const key = await unwrapContentKey(keys, session.kek);
  if (!key) { await clearSession().catch(() => {}); session = null; throw new Locked("password changed"); }
  const root = readRoot(await openSealed(key, rootAd(), await rootManifest(keys)));
  await noteEpoch(keys.epoch, keys.root_sha256);
  keepIfRoom(siteUrl("keys.json"), new Response(text));   // only a keys.json that opened a verified build
  build = { keysText: text, tag: keys.root_sha256, rootDigest: keys.root.slice(FILE_DIR.length, -FILE_SUFFIX.length),
    epoch: keys.epoch, key, root, group: await hmacKey(b64(root.group)), dirs: new Map(), loc: new Map(), frgs: new Map(), bundles: new Map(), locating: null,
    solo: new Map(root.solo.map((e) => [entryKey(e.path, e.part), e])), evicted: false, sections: null };
  return build;
}

/** The root manifest's bytes, checked against the SHA-256 keys.json binds (a damaged cached copy is fetched again).
    @param {import("./seal.js").Keys} keys */
async function rootManifest(keys) {
  const url = siteUrl(keys.root), hit = await cached(url);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (await sha256hex(bytes) === keys.root_sha256) return bytes;
    await drop(url);
  }
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) throw new Unavailable(`${url}: ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (await sha256hex(bytes) !== keys.root_sha256) throw new Tampered("root manifest mismatch");
  keepIfRoom(url, new Response(bytes));
  return bytes;
}

/** A pack's directory, fetched once even when Pagefind asks for many of its entries at the same time; read from
    the whole pack when the caller has it (「この端末に保存」), so its bytes are not fetched twice.
    @param {Build} b @param {number} number @param {Uint8Array<ArrayBuffer> | null} [whole] @returns {Promise<Directory | null>} */
export function directory(b, number, whole = null) {
  const known = b.dirs.get(number);
  if (known) return known;
  const d = b.root.dirs[number];
  if (!d) return Promise.resolve(null);
  const name = fileName(d.digest), url = siteUrl(name);
  // Bytes at hand count as cached under the pack's address: checked like those, never kept as a slice.
  const fetched = whole ? Promise.resolve({ bytes: whole.slice(d.offset, d.offset + d.length), key: url, cachedAs: url }) : null;
  const pending = checked(name, d.offset, d.length, d.digest, { fetched })
    .then((blob) => openSealed(b.key, dirAd(number), blob))
    .then((plain) => ({ name, entries: new Map(readDirectory(plain).map((e) => [entryKey(e.path, e.part), e])) }));
  pending.catch(() => b.dirs.delete(number));   // a failed fetch (offline) is tried again next time
  b.dirs.set(number, pending);
  return pending;
}

/** A pack's fragment list (tag -> [offset, length, hash]), fetched once and checked against the root manifest; an
    empty map when the pack has none. @param {Build} b @param {number} number */
export function fragmentList(b, number) {
  const known = b.frgs.get(number);
  if (known) return known;
  const d = b.root.dirs[number], f = b.root.frg[number];
  if (!d || !f) return Promise.resolve(new Map());
  const pending = checked(fileName(d.digest), f.offset, f.length, f.digest)
    .then((blob) => openSealed(b.key, frgAd(number), blob))
    .then(readFragments);
  pending.catch(() => b.frgs.delete(number));   // offline: tried again next time
  b.frgs.set(number, pending);
  return pending;
}

/** The build's locator parts (ciphertext cached by name like the packs), read once, in the background. @param {Build} b */
export function locate(b) {
  b.locating = b.locating || Promise.all(b.root.loc.map(async (part) => {
    const blob = await checked(fileName(part.digest), 0, part.length, part.digest, { whole: true });
    const plain = await openSealed(b.key, locAd(part.first), blob);
    for (const [number, rows] of readLocator(plain, part.first, part.end)) b.loc.set(number, rows);
  })).then(() => {}, () => { b.locating = null; });   // offline or refused: the directory is read first, and this is tried again
  return b.locating;
}

/** Every sealed file a build lists (packs, files of their own, locator parts, the root manifest), by digest.
    @param {Build} b */
export function listed(b) {
  const names = [b.rootDigest, ...b.root.solo.map((e) => e.digest), ...b.root.loc.map((e) => e.digest)];
  for (const d of b.root.dirs) if (d) names.push(d.digest);
  return new Set(names);
}

/** After a page of a build was answered: its locator read, and what older builds left in the cache removed (once).
    @param {Build} b */
export async function settle(b) {
  await locate(b);
  if (b.evicted || b !== build) return;
  b.evicted = true;
  await evict(SCOPE, listed(b)).catch(() => { b.evicted = false; });
}
