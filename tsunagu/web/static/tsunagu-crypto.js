/* Shared by the unlock page and the service worker: keys.json checks, key storage in IndexedDB,
   and the entry format of tsunagu/seal/encrypt.py and packs.py (mirrored here; KAT-tested both ways).
   The password never leaves the unlock page; only a non-extractable password-derived key (KEK) is
   stored, which unwraps each build's content key. */
"use strict";
const TSU = (() => {
  const DB = "tsunagu", STORE = "session", ID = "current";
  const EPOCH_DB = "tsunagu-epoch";   // survives logout: a device that saw a newer build refuses an older one
  const VERSION = 2, KDF = "PBKDF2-SHA256", CIPHER = "AES-256-GCM";
  const MIN_ITERATIONS = 600000, MAX_ITERATIONS = 10000000, MIN_BUCKET = 256;
  const enc = new TextEncoder();
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
  const unhex = (s) => Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const u32 = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n); return b; };
  const u64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };

  function open(name) {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  async function tx(name, mode, fn) {
    const d = await open(name);
    try {
      return await new Promise((resolve, reject) => {
        const t = d.transaction(STORE, mode);
        const req = fn(t.objectStore(STORE));
        t.oncomplete = () => resolve(req && req.result);
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error);
      });
    } finally { d.close(); }
  }
  const clearSession = () => tx(DB, "readwrite", (st) => st.delete(ID));
  /** The stored session, or null; an expired one is deleted, not just ignored. */
  async function getSession() {
    const s = await tx(DB, "readonly", (st) => st.get(ID));
    if (s && s.expires > Date.now()) return s;
    if (s) await clearSession();
    return null;
  }
  const putSession = (s) => tx(DB, "readwrite", (st) => st.put(s, ID));
  const seenEpoch = async () => (await tx(EPOCH_DB, "readonly", (st) => st.get("max"))) || 0;
  async function noteEpoch(epoch) {
    if (epoch > await seenEpoch()) await tx(EPOCH_DB, "readwrite", (st) => st.put(epoch, "max"));
  }

  /** keys.json as accepted by this version, or an Error: never a weaker KDF, cipher or iteration count. */
  function checkKeys(k) {
    const ok = k && k.version === VERSION && k.kdf === KDF && k.cipher === CIPHER &&
      Number.isInteger(k.iterations) && k.iterations >= MIN_ITERATIONS && k.iterations <= MAX_ITERATIONS &&
      typeof k.salt === "string" && /^[A-Za-z0-9+/]{22}==$/.test(k.salt) &&
      Number.isSafeInteger(k.epoch) && k.epoch >= 0 && /^p\/[0-9a-f]{32}\.bin$/.test(k.root) &&
      /^[0-9a-f]{64}$/.test(k.root_sha256) && Array.isArray(k.slots) && k.slots.length > 0 &&
      k.slots.every((s) => typeof s === "string");
    if (!ok) throw new Error("unsupported keys.json");
    return k;
  }
  /** PBKDF2-SHA256 of the NFC password -> AES-GCM key that can only unwrap, and cannot be exported. */
  async function deriveKek(password, keys) {
    const base = await crypto.subtle.importKey("raw", enc.encode(password.normalize("NFC")), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: b64(keys.salt), iterations: keys.iterations },
      base, { name: "AES-GCM", length: 256 }, false, ["unwrapKey"]);
  }
  const slotAd = (keys) => concat(enc.encode("tsunagu/v2/slot\0"), u64(keys.epoch), unhex(keys.root_sha256));
  /** The build's content key if this KEK opens one of the slots of keys.json, else null. */
  async function unwrapContentKey(keys, kek) {
    const ad = slotAd(keys);
    for (const slot of keys.slots) {
      const blob = b64(slot);
      try {
        return await crypto.subtle.unwrapKey("raw", blob.slice(12), kek, { name: "AES-GCM", iv: blob.slice(0, 12), additionalData: ad },
          { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
      } catch (e) { /* not this slot */ }
    }
    return null;
  }

  function padme(length) {
    if (length <= MIN_BUCKET) return MIN_BUCKET;
    const e = 31 - Math.clz32(length), s = 32 - Math.clz32(e);
    const mask = (1 << (e - s)) - 1;
    return (length + mask) & ~mask;
  }
  const frame = (body, flag) => {
    const inner = concat(new Uint8Array([flag]), u32(body.length), body);
    return concat(inner, new Uint8Array(padme(inner.length) - inner.length));
  };
  async function inflate(body) {
    const stream = new Blob([body]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  /** The body of a payload (padding stripped before decompressing: DecompressionStream rejects trailing bytes). */
  async function unframe(payload) {
    const flag = payload[0], length = new DataView(payload.buffer, payload.byteOffset + 1, 4).getUint32(0);
    if ((flag !== 0 && flag !== 1) || 5 + length > payload.length || payload.subarray(5 + length).some((b) => b)) {
      throw new Error("bad entry framing");
    }
    const body = payload.slice(5, 5 + length);
    return flag === 1 ? inflate(body) : body;
  }
  const entryAd = (path, part, parts) => concat(enc.encode("tsunagu/v2/file\0" + path + "\0"), u32(part), u32(parts));
  const dirAd = (number) => concat(enc.encode("tsunagu/v2/dir\0"), u32(number));
  const rootAd = () => enc.encode("tsunagu/v2/root\0");
  const locAd = (first) => concat(enc.encode("tsunagu/v2/loc\0"), u32(first));
  async function openSealed(key, ad, blob) {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: blob.slice(0, 12), additionalData: ad }, key, blob.slice(12));
    return unframe(new Uint8Array(plain));
  }
  const sha256hex = async (u8) => hex(new Uint8Array(await crypto.subtle.digest("SHA-256", u8)));
  const hmacKey = (raw) => crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  /** A record's Pagefind fragment is placed with its record page (packs.placement). */
  const placement = (path) => {
    const m = /^pagefind\/(?:s[0-9]+\/)?fragment\/zz_([a-z0-9]+)\.pf_fragment$/.exec(path);
    return m ? "r/" + m[1] + ".html" : path;
  };
  /** The keyed slot of one part of a path: HMAC(grouping key, "pack\0" placement "\0" part) (packs.slot_of). */
  async function slotOf(groupKey, path, part) {
    return new Uint8Array(await crypto.subtle.sign("HMAC", groupKey, concat(enc.encode("pack\0" + placement(path) + "\0"), u32(part))));
  }
  /** The pack number of a slot: its first four bytes mod the pack count. */
  const packOfSlot = (slot, packs) => new DataView(slot.buffer, slot.byteOffset).getUint32(0) % packs;
  const packOf = async (groupKey, packs, path, part) => packOfSlot(await slotOf(groupKey, path, part), packs);
  /** A record page's tag in the locator (locator.TAG): the slot's bytes after those that pick the pack. */
  const locTag = (slot) => hex(slot.subarray(4, 7));
  /** What the locator lists (locator.is_located): record pages, not their fragments, which share their slots. */
  const isLocated = (path) => path.startsWith("r/");
  /** pack number -> tag -> [offset, length], from one locator part's plaintext (locator.decode). */
  function readLocator(plain, first, end) {
    const view = new DataView(plain.buffer, plain.byteOffset, plain.length), out = new Map();
    const u24 = (at) => (view.getUint16(at) << 8) | view.getUint8(at + 2);
    let at = 0;
    for (let number = first; number < end; number++) {
      const rows = new Map(), count = view.getUint16(at);
      for (let i = 0, row = at + 2; i < count; i++, row += 9) rows.set(hex(plain.subarray(row, row + 3)), [u24(row + 3), u24(row + 6)]);
      at += 2 + 9 * count;
      out.set(number, rows);
    }
    if (at !== plain.length) throw new Error("bad locator");
    return out;
  }
  /** HMAC-SHA256(nonce key, len(AD) ‖ AD ‖ SHA-256(payload))[:12], as the build computes it. */
  async function syntheticNonce(nonceKey, ad, payload) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", payload));
    return new Uint8Array(await crypto.subtle.sign("HMAC", nonceKey, concat(u32(ad.length), ad, digest))).slice(0, 12);
  }
  return { getSession, putSession, clearSession, seenEpoch, noteEpoch, checkKeys, deriveKek, unwrapContentKey,
    padme, frame, unframe, entryAd, dirAd, rootAd, locAd, openSealed, sha256hex, hmacKey, slotOf, packOfSlot, packOf, locTag, isLocated, readLocator, syntheticNonce, b64, hex, unhex };
})();
