// @ts-check
/** Byte helpers shared by the unlock page, the service worker and the Node tests. */

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. @param {string} text */
export const utf8 = (text) => encoder.encode(text);

/** Bytes of a base64 string. @param {string} text */
export const b64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Lower-case hex of bytes. @param {Uint8Array<ArrayBuffer>} bytes */
export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Bytes of a hex string (pairs of digits). @param {string} text */
export const unhex = (text) => Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));

/** One array of several. @param {Uint8Array<ArrayBuffer>[]} parts */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Big-endian unsigned 32 bits. @param {number} n */
export function u32(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** Big-endian unsigned 64 bits. @param {number} n */
export function u64(n) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** A view of bytes as a DataView over exactly those bytes. @param {Uint8Array<ArrayBuffer>} bytes */
export const view = (bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** SHA-256 of bytes, in hex. @param {Uint8Array<ArrayBuffer>} bytes */
export const sha256hex = async (bytes) => hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
