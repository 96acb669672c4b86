// @ts-check
/** Where an entry lives: packs, the root manifest's rows and the locator (tsunagu/seal/packs.py, locator.py). */
import { concat, hex, u32, utf8, view } from "./bytes.js";
import { Tampered } from "./errors.js";
import * as W from "./wire.js";

const FRAGMENT = new RegExp(W.FRAGMENT);

/**
 * The root manifest's rows ("dirs", "solo", "loc") and a pack directory's rows, by the field names of wire.js.
 * @typedef {{ digest: string, offset: number, length: number }} DirRow
 * @typedef {{ path: string, part: number, parts: number, digest: string, length: number }} SoloRow
 * @typedef {{ digest: string, length: number, first: number, end: number }} LocRow
 * @typedef {{ path: string, part: number, parts: number, offset: number, length: number, sha256: string }} EntryRow
 * @typedef {{ packs: number, group: string, dirs: (DirRow | null)[], solo: SoloRow[], loc: LocRow[], frg: (DirRow | null)[] }} Root
 */

/** A row (an array in the JSON) as an object with the fields of wire.js. @param {string[]} fields @param {unknown} values */
function row(fields, values) {
  if (!Array.isArray(values) || values.length !== fields.length) throw new Tampered("bad manifest row");
  return Object.fromEntries(fields.map((name, i) => [name, values[i]]));
}

/** The root manifest from its plaintext (Tampered if it is not one this version reads). @param {Uint8Array<ArrayBuffer>} plain @returns {Root} */
export function readRoot(plain) {
  const doc = JSON.parse(new TextDecoder().decode(plain));
  if (doc.v !== W.ROOT_VERSION) throw new Tampered("unsupported root manifest");
  return {
    packs: doc.packs, group: doc.group,
    dirs: doc.dirs.map((/** @type {unknown} */ d) => (d === null ? null : /** @type {DirRow} */ (row(W.DIR_ROW, d)))),
    solo: doc.solo.map((/** @type {unknown} */ e) => /** @type {SoloRow} */ (row(W.SOLO_ROW, e))),
    loc: (doc.loc || []).map((/** @type {unknown} */ e) => /** @type {LocRow} */ (row(W.LOC_ROW, e))),
    frg: (doc.frg || []).map((/** @type {unknown} */ d) => (d === null ? null : /** @type {DirRow} */ (row(W.FRG_ROW, d)))),
  };
}

/** A pack directory's rows from its plaintext. @param {Uint8Array<ArrayBuffer>} plain @returns {EntryRow[]} */
export const readDirectory = (plain) =>
  JSON.parse(new TextDecoder().decode(plain)).map((/** @type {unknown} */ e) => /** @type {EntryRow} */ (row(W.ENTRY_ROW, e)));

/** The key of one part of a path in the maps of entries. @param {string} path @param {number} part */
export const entryKey = (path, part) => path + "\0" + part;

/** A sealed file's public name from its short hash. @param {string} digest */
export const fileName = (digest) => W.FILE_DIR + digest + W.FILE_SUFFIX;

/** The path whose keyed hash places an entry: a record's fragment goes with its record page. @param {string} path */
export function placement(path) {
  const m = FRAGMENT.exec(path);
  return m ? W.RECORD_DIR + m[1] + ".html" : path;
}

/** Record pages: what a reader opens by address, and what the locator lists. @param {string} path */
export const isRecord = (path) => path.startsWith(W.RECORD_DIR);

/** A record's search fragment: what a pack's fragment list lists. @param {string} path */
export const isFragment = (path) => FRAGMENT.test(path);

/**
 * The keyed slot of one part of a path: HMAC(grouping key, PACK_LABEL ‖ placement ‖ NUL ‖ part).
 * @param {CryptoKey} groupKey
 * @param {string} path
 * @param {number} part
 */
export async function slotOf(groupKey, path, part) {
  const message = concat(utf8(W.PACK_LABEL + placement(path) + "\0"), u32(part));
  return new Uint8Array(await crypto.subtle.sign("HMAC", groupKey, message));
}

/** The pack number of a slot: its first four bytes mod the pack count. @param {Uint8Array<ArrayBuffer>} slot @param {number} packs */
export const packOfSlot = (slot, packs) => view(slot).getUint32(0) % packs;

/** @param {CryptoKey} groupKey @param {number} packs @param {string} path @param {number} part */
export const packOf = async (groupKey, packs, path, part) => packOfSlot(await slotOf(groupKey, path, part), packs);

/** A record page's tag in the locator: the slot's bytes after those that pick the pack. @param {Uint8Array<ArrayBuffer>} slot */
export const locTag = (slot) => hex(slot.subarray(W.LOC_TAG[0], W.LOC_TAG[1]));

/**
 * pack number -> tag -> [offset, length], from one locator part's plaintext (Tampered if malformed).
 * @param {Uint8Array<ArrayBuffer>} plain
 * @param {number} first
 * @param {number} end
 * @returns {Map<number, Map<string, [number, number]>>}
 */
export function readLocator(plain, first, end) {
  const data = view(plain), out = new Map(), width = W.LOC_TAG[1] - W.LOC_TAG[0];
  const u24 = (/** @type {number} */ at) => (data.getUint16(at) << 8) | data.getUint8(at + 2);
  let at = 0;
  try {
    for (let number = first; number < end; number++) {
      const rows = new Map(), count = data.getUint16(at);
      for (let i = 0, row = at + 2; i < count; i++, row += W.LOC_ROW_BYTES) {
        rows.set(hex(plain.subarray(row, row + width)), [u24(row + width), u24(row + width + 3)]);
      }
      at += 2 + W.LOC_ROW_BYTES * count;
      out.set(number, rows);
    }
  } catch (e) {
    throw new Tampered("locator part too short");   // a read past the end (RangeError)
  }
  if (at !== plain.length) throw new Tampered("bad locator");
  return out;
}

/**
 * tag -> [offset, length, hash (hex of its first bytes)], from a pack's fragment list (Tampered if malformed).
 * @param {Uint8Array<ArrayBuffer>} plain
 * @returns {Map<string, [number, number, string]>}
 */
export function readFragments(plain) {
  if (plain.length % W.FRG_ROW_BYTES) throw new Tampered("bad fragment list");
  const data = view(plain), out = new Map(), width = W.LOC_TAG[1] - W.LOC_TAG[0];
  const u24 = (/** @type {number} */ at) => (data.getUint16(at) << 8) | data.getUint8(at + 2);
  for (let row = 0; row < plain.length; row += W.FRG_ROW_BYTES) {
    const hash = row + width + 6;
    out.set(hex(plain.subarray(row, row + width)), [u24(row + width), u24(row + width + 3), hex(plain.subarray(hash, hash + W.FRG_HASH_BYTES))]);
  }
  return out;
}

/**
 * The shards' index chunks of a bundle (tsunagu/search/bundle.py), in shard order (Tampered if malformed).
 * @param {Uint8Array<ArrayBuffer>} plain
 * @returns {Uint8Array<ArrayBuffer>[]}
 */
export function readBundle(plain) {
  const data = view(plain), out = [], magic = utf8(W.BUNDLE_MAGIC), head = magic.length;
  if (plain.length < head + 4 || magic.some((c, i) => plain[i] !== c)) throw new Tampered("bad bundle");
  const count = data.getUint32(head);
  let at = head + 4 + 4 * count;
  if (at > plain.length) throw new Tampered("bad bundle");
  for (let i = 0; i < count; i++) {
    const length = data.getUint32(head + 4 + 4 * i);
    out.push(plain.slice(at, at + length));
    at += length;
  }
  if (at !== plain.length) throw new Tampered("bad bundle");
  return out;
}
