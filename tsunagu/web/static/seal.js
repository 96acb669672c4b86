// @ts-check
/** The browser half of tsunagu/seal: keys.json, key slots and sealed entries, with the constants of wire.js. */
import { b64, concat, u32, u64, unhex, utf8, view } from "./bytes.js";
import { Tampered, UnsafeKeys } from "./errors.js";
import * as W from "./wire.js";

/**
 * keys.json as published by the build.
 * @typedef {{ version: number, kdf: string, cipher: string, iterations: number, salt: string, epoch: number,
 *             root: string, root_sha256: string, slots: string[] }} Keys
 */

const SALT = new RegExp(`^[A-Za-z0-9+/]{${Math.ceil(W.SALT_BYTES * 4 / 3)}}={${(3 - W.SALT_BYTES % 3) % 3}}$`);
const ROOT = new RegExp(`^${W.FILE_DIR}[0-9a-f]{${W.SHORT_HASH_HEX}}\\${W.FILE_SUFFIX}$`);

/**
 * keys.json as accepted by this version: never a weaker KDF, cipher or iteration count (UnsafeKeys otherwise).
 * @param {any} k the parsed JSON
 * @returns {Keys}
 */
export function checkKeys(k) {
  const ok = k !== null && typeof k === "object" && k.version === W.KEYS_VERSION && k.kdf === W.KDF &&
    k.cipher === W.CIPHER && Number.isInteger(k.iterations) && k.iterations >= W.MIN_ITERATIONS &&
    k.iterations <= W.MAX_ITERATIONS && typeof k.salt === "string" && SALT.test(k.salt) &&
    Number.isSafeInteger(k.epoch) && k.epoch >= 0 && typeof k.root === "string" && ROOT.test(k.root) &&
    typeof k.root_sha256 === "string" && /^[0-9a-f]{64}$/.test(k.root_sha256) && Array.isArray(k.slots) &&
    k.slots.length > 0 && k.slots.every(/** @param {unknown} s */ (s) => typeof s === "string");
  if (!ok) throw new UnsafeKeys("keys.json is not one this version accepts");
  return k;
}

/**
 * PBKDF2-SHA256 of the NFC password: an AES-GCM key that can only unwrap, and cannot be exported.
 * @param {string} password
 * @param {Keys} keys
 */
export async function deriveKek(password, keys) {
  const base = await crypto.subtle.importKey("raw", utf8(password.normalize("NFC")), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: b64(keys.salt), iterations: keys.iterations },
    base, { name: "AES-GCM", length: 256 }, false, ["unwrapKey"]);
}

/** What every slot is bound to: the build's epoch and the hash of its root manifest. @param {Keys} keys */
export const slotAd = (keys) => concat(utf8(W.SLOT_AD), u64(keys.epoch), unhex(keys.root_sha256));

/**
 * The build's content key if this password-derived key opens one of the slots of keys.json, else null.
 * @param {Keys} keys
 * @param {CryptoKey} kek
 */
export async function unwrapContentKey(keys, kek) {
  const additionalData = slotAd(keys);
  for (const slot of keys.slots) {
    const blob = b64(slot);
    try {
      return await crypto.subtle.unwrapKey("raw", blob.slice(W.NONCE_BYTES), kek,
        { name: "AES-GCM", iv: blob.slice(0, W.NONCE_BYTES), additionalData }, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    } catch (e) { /* not this slot */ }
  }
  return null;
}

/** Padmé: the padded size of a framed payload of `length` bytes (at least MIN_BUCKET). @param {number} length */
export function padme(length) {
  if (length <= W.MIN_BUCKET) return W.MIN_BUCKET;
  const e = 31 - Math.clz32(length), s = 32 - Math.clz32(e);
  const mask = (1 << (e - s)) - 1;
  return (length + mask) & ~mask;
}

/** The exact payload: flag, true length, body, zeros to the bucket. @param {Uint8Array<ArrayBuffer>} body @param {number} flag */
export function frame(body, flag) {
  const inner = concat(new Uint8Array([flag]), u32(body.length), body);
  return concat(inner, new Uint8Array(padme(inner.length) - inner.length));
}

/** Raw inflate. @param {BlobPart[]} parts */
async function inflate(parts) {
  const stream = new Blob(parts).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A non-final stored deflate block holding the bytes, from a byte boundary. @param {Uint8Array<ArrayBuffer>} data */
const storedBlock = (data) => {
  const head = new Uint8Array(5);
  new DataView(head.buffer).setUint16(1, data.length, true);
  new DataView(head.buffer).setUint16(3, data.length ^ 0xffff, true);
  return [head, data];
};

/**
 * The units of a DICTIONARY body (wire.py): one stream, each unit after a stored block holding its section,
 * then an empty final block; the section's copies are cut out again (and must be exactly the section).
 * @param {Uint8Array<ArrayBuffer>} body @param {Uint8Array<ArrayBuffer>[]} sections
 */
async function withoutDictionary(body, sections) {
  const section = sections[body[0]], count = body.length >= W.DICT_HEADER ? view(body).getUint32(1) : Infinity;
  if (!section || W.DICT_HEADER + 8 * count > body.length) throw new Tampered("bad dictionary framing");
  /** @type {BlobPart[]} */
  const parts = [];
  /** @type {number[]} */
  const plain = [];
  let at = W.DICT_HEADER + 8 * count;
  for (let i = 0; i < count; i++) {
    const packed = view(body).getUint32(W.DICT_HEADER + 8 * i);
    plain.push(view(body).getUint32(W.DICT_HEADER + 8 * i + 4));
    parts.push(...storedBlock(section), body.subarray(at, at + packed));
    at += packed;
  }
  if (at !== body.length) throw new Tampered("bad dictionary framing");
  let out;
  try { out = await inflate([...parts, new Uint8Array([3, 0])]); } catch (e) { throw new Tampered("bad deflate stream"); }
  const units = [];
  let from = 0;
  for (const length of plain) {
    const copy = out.subarray(from, from + section.length);
    if (copy.length !== section.length || copy.some((b, i) => b !== section[i])) throw new Tampered("bad deflate stream");
    units.push(out.slice(from + section.length, from + section.length + length));
    from += section.length + length;
  }
  if (from !== out.length) throw new Tampered("bad deflate stream");
  return units.length === 1 ? units[0] : concat(...units);
}

/**
 * The body of a payload (padding stripped before decompressing: DecompressionStream rejects trailing bytes).
 * @param {Uint8Array<ArrayBuffer>} payload
 * @param {(() => Promise<Uint8Array<ArrayBuffer>[]>) | null} [sections] the dictionary's sections, for a DICTIONARY payload
 */
export async function unframe(payload, sections = null) {
  const flag = payload[0], length = payload.length >= W.FRAME_HEADER ? view(payload).getUint32(1) : Infinity;
  const end = W.FRAME_HEADER + length;
  const known = flag === W.STORED || flag === W.DEFLATE || (flag === W.DICTIONARY && sections);
  if (!known || end > payload.length || payload.subarray(end).some((b) => b)) {
    throw new Tampered("bad entry framing");
  }
  const body = payload.slice(W.FRAME_HEADER, end);
  if (flag === W.STORED) return body;
  if (flag === W.DICTIONARY && sections) return withoutDictionary(body, await sections());
  try { return await inflate([body]); } catch (e) { throw new Tampered("bad deflate stream"); }
}

/** The dictionary's sections (wire.DICT_PATH): magic, count (u32), then length (u32) and bytes each. @param {Uint8Array<ArrayBuffer>} data */
export function readSections(data) {
  const magic = utf8(W.DICT_MAGIC);
  if (data.length < magic.length + 4 || magic.some((b, i) => data[i] !== b)) throw new Tampered("bad dictionary");
  const count = view(data).getUint32(magic.length), out = [];
  let at = magic.length + 4;
  for (let i = 0; i < count; i++) {
    const length = view(data).getUint32(at);
    out.push(data.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

/** AD of one part of a logical file. @param {string} path @param {number} part @param {number} parts */
export const entryAd = (path, part, parts) => concat(utf8(W.FILE_AD + path + "\0"), u32(part), u32(parts));
/** AD of a pack's directory. @param {number} number */
export const dirAd = (number) => concat(utf8(W.DIR_AD), u32(number));
/** AD of the root manifest. */
export const rootAd = () => utf8(W.ROOT_AD);
/** AD of the locator part that starts at pack `first`. @param {number} first */
export const locAd = (first) => concat(utf8(W.LOC_AD), u32(first));
/** AD of pack `number`'s fragment list. @param {number} number */
export const frgAd = (number) => concat(utf8(W.FRG_AD), u32(number));

/**
 * The body of a sealed blob (nonce ‖ AES-GCM ciphertext), its framing checked; Tampered if it does not open.
 * @param {CryptoKey} key
 * @param {Uint8Array<ArrayBuffer>} ad
 * @param {Uint8Array<ArrayBuffer>} blob
 * @param {(() => Promise<Uint8Array<ArrayBuffer>[]>) | null} [sections] the dictionary's sections, for a DICTIONARY payload
 */
export async function openSealed(key, ad, blob, sections = null) {
  let plain;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: blob.slice(0, W.NONCE_BYTES), additionalData: ad },
      key, blob.slice(W.NONCE_BYTES));
  } catch (e) {
    throw new Tampered("does not open with this key and place");
  }
  return unframe(new Uint8Array(plain), sections);
}

/** An HMAC-SHA256 signing key from raw bytes. @param {Uint8Array<ArrayBuffer>} raw */
export const hmacKey = (raw) => crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

/**
 * HMAC-SHA256(nonce key, len(AD) ‖ AD ‖ SHA-256(payload))[:12], as the build computes it.
 * @param {CryptoKey} nonceKey
 * @param {Uint8Array<ArrayBuffer>} ad
 * @param {Uint8Array<ArrayBuffer>} payload
 */
export async function syntheticNonce(nonceKey, ad, payload) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", payload));
  const mac = await crypto.subtle.sign("HMAC", nonceKey, concat(u32(ad.length), ad, digest));
  return new Uint8Array(mac).slice(0, W.NONCE_BYTES);
}
