// @ts-check
/** Composites (tsunagu/seal/rows.py, wire.py): a shared file's skeleton with its records' rows put back from
    the parts of its store that hold them. Kept apart from the service worker so node's tests run it. */
import { Tampered } from "./errors.js";

/** Byte ranges between NULs. @param {Uint8Array<ArrayBuffer>} bytes */
function pieces(bytes) {
  /** @type {Uint8Array<ArrayBuffer>[]} */
  const out = [];
  let at = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) { out.push(bytes.subarray(at, i)); at = i + 1; }
  }
  return out;
}

const latin = new TextDecoder("latin1");

/** A row key's bucket: its first 8 hex digits (a u32) modulo the store's parts. @param {string} key @param {number} parts */
export const bucketOf = (key, parts) => parseInt(key.slice(0, 8), 16) % parts;

/**
 * The plaintext of a composite, as the pieces of a Blob.
 * @param {Uint8Array<ArrayBuffer>} skeleton
 * @param {(store: string, part: number) => Promise<{ parts: number, body: Uint8Array<ArrayBuffer> }>} readPart
 * @returns {Promise<Uint8Array<ArrayBuffer>[]>}
 */
export async function assemble(skeleton, readPart) {
  const p = pieces(skeleton);
  if (p.length < 3 || p[0].length || p.length % 2 === 0) throw new Tampered("bad composite");
  const store = latin.decode(p[1]);
  const first = await readPart(store, 0);
  const keys = [];
  for (let i = 3; i < p.length; i += 2) keys.push(latin.decode(p[i]));
  const wanted = [...new Set(keys.map((k) => bucketOf(k, first.parts)))];
  const bodies = await Promise.all(wanted.map((n) => (n === 0 ? first : readPart(store, n))));
  /** @type {Map<string, Uint8Array<ArrayBuffer>>} */
  const rows = new Map();
  for (const got of bodies) {
    const q = pieces(got.body);
    for (let i = 1; i + 1 < q.length; i += 2) rows.set(latin.decode(q[i]), q[i + 1]);
  }
  const out = [p[2]];
  keys.forEach((key, i) => {
    const row = rows.get(key);
    if (!row) throw new Tampered("missing row");
    out.push(row, p[4 + 2 * i]);
  });
  return out;
}
