/* Shared by the unlock page and the service worker: key storage in IndexedDB and decryption.
   The password never leaves the unlock page; only a non-extractable password-derived key (KEK)
   is stored, which unwraps each build's content key. */
"use strict";
const TSU = (() => {
  const DB = "tsunagu", STORE = "session", ID = "current";
  const enc = new TextEncoder();
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");

  function db() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  async function tx(mode, fn) {
    const d = await db();
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
  /** The stored session, or null when absent or expired. */
  async function getSession() {
    const s = await tx("readonly", (st) => st.get(ID));
    if (!s || !(s.expires > Date.now())) return null;
    return s;
  }
  const putSession = (s) => tx("readwrite", (st) => st.put(s, ID));
  const clearSession = () => tx("readwrite", (st) => st.delete(ID));

  /** PBKDF2-SHA256 -> AES-GCM key that can only unwrap, and cannot be exported. */
  async function deriveKek(password, saltB64, iterations) {
    const base = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: b64(saltB64), iterations },
      base, { name: "AES-GCM", length: 256 }, false, ["unwrapKey"]);
  }
  /** The build's content key if this KEK opens one of the slots of keys.json, else null. */
  async function unwrapContentKey(keys, kek, saltB64, iterations) {
    const build = Uint8Array.from(keys.build.match(/../g), (h) => parseInt(h, 16));
    const aad = new Uint8Array([...enc.encode("tsunagu/v1/key\0"), ...build]);
    for (const slot of keys.slots) {
      if (slot.salt !== saltB64 || slot.iterations !== iterations) continue;
      const blob = b64(slot.wrapped);
      try {
        return await crypto.subtle.unwrapKey("raw", blob.slice(12), kek,
          { name: "AES-GCM", iv: blob.slice(0, 12), additionalData: aad },
          { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
      } catch (e) { /* not this slot */ }
    }
    return null;
  }
  /** Build id (hex) written in a ciphertext's header, or null if it is not one of ours. */
  function buildOf(buf) {
    const u8 = new Uint8Array(buf, 0, Math.min(12, buf.byteLength));
    if (u8.length < 12 || String.fromCharCode(...u8.slice(0, 4)) !== "TSG1") return null;
    return hex(u8.slice(4, 12));
  }
  /** Decrypt one file; the path must be the one it was encrypted for (tampering throws). */
  async function decrypt(path, buf, key) {
    const u8 = new Uint8Array(buf);
    const header = u8.slice(0, 12);
    const aad = new Uint8Array([...header, ...enc.encode(path)]);
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: u8.slice(12, 24), additionalData: aad }, key, u8.slice(24));
  }
  return { getSession, putSession, clearSession, deriveKek, unwrapContentKey, buildOf, decrypt };
})();
