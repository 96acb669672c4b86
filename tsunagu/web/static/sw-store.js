// @ts-check
/** The cache: ciphertext only, and only bytes checked against their hash; what the current build no longer lists goes. */
import { storageError } from "./errors.js";
import { FILE_DIR, FILE_SUFFIX } from "./wire.js";

const CACHE = "tsunagu-ciphertext-v2";
/** @type {Promise<Cache> | null} */
let store = null;   // the opened cache, once per worker (opening it for every lookup costs each one)

/** @returns {Promise<Cache>} */
const opened = () => (store = store || caches.open(CACHE).catch((e) => { store = null; throw e; }));

/** A cached response, or undefined. @param {string} key */
export async function cached(key) {
  try { return await (await opened()).match(key); } catch (e) { return undefined; }
}

/** Keep a response; StorageFull when the device has no room (the caller decides whether that matters).
    @param {string} key @param {Response} res */
export async function keep(key, res) {
  try { await (await opened()).put(key, res); } catch (e) { throw storageError(e); }
}

/** Keep a response if there is room: a page view goes on without caching. @param {string} key @param {Response} res */
export const keepIfRoom = (key, res) => keep(key, res).catch(() => {});

/** Remove one cached response (a damaged copy). @param {string} key */
export async function drop(key) {
  try { await (await opened()).delete(key); } catch (e) { /* nothing to remove */ }
}

/** Remove every sealed file (and slice of one) whose name is not listed: what older builds left.
    @param {string} scope @param {Set<string>} names the digests the current build lists */
export async function evict(scope, names) {
  const cache = await opened();
  const prefix = scope + FILE_DIR;
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (!path.startsWith(prefix) || !path.endsWith(FILE_SUFFIX)) continue;
    if (!names.has(path.slice(prefix.length, -FILE_SUFFIX.length))) await cache.delete(req);
  }
}

/** Forget everything (logout). */
export async function clear() {
  store = null;
  await caches.delete(CACHE);
}
