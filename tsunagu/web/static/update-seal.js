// @ts-check
/* The update page's wire side (docs/relay-protocol.md): reading a link token, the receipt number,
   sealing a submission to the site's public key (ECDH P-256 + HKDF-SHA256 + AES-256-GCM) and sending
   it to the relay with retries. No secret lives here: the link is the holder's, the key is public. */

/**
 * What a link token says about itself, and the relay's answer to a submission.
 * @typedef {{ purpose: number, expiry: number, records: { kind: string, id: string }[], login: string | null }} TokenInfo
 * @typedef {{ ok: boolean, json: any, retry?: boolean }} Sent
 */

const enc = new TextEncoder();
/** @type {Record<number, string>} */
const KINDS = { 1: "provider", 2: "physician" };
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** URL-safe base64 without padding. @param {Uint8Array} bytes */
export function b64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Bytes of canonical URL-safe base64. @param {string} text */
export function unb64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error("base64");
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  const out = Uint8Array.from(s, (c) => c.charCodeAt(0));
  if (b64url(out) !== text) throw new Error("not canonical");
  return out;
}

/** @param {Uint8Array<ArrayBuffer>[]} parts */
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** What a token says about itself (the page cannot check its MAC; the repository does).
    @param {string} text @returns {TokenInfo} */
export function readToken(text) {
  if (!/^[A-Za-z0-9_-]{40,2048}$/.test(text)) throw new Error("token");
  const raw = unb64url(text), body = raw.slice(0, raw.length - 24);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (body.length < 7 || body[0] !== 1 || body[1] > 2) throw new Error("token");
  const purpose = body[1], expiry = view.getUint32(2), n = body[6], records = [];
  let at = 7;
  for (let i = 0; i < n; i++) {
    const kind = KINDS[body[at]], len = body[at + 3];
    if (!kind || at + 4 + len > body.length) throw new Error("token");
    records.push({ kind, id: String.fromCharCode(...body.slice(at + 4, at + 4 + len)) });
    at += 4 + len;
  }
  let login = null;
  if (purpose === 1) { login = String.fromCharCode(...body.slice(at + 1, at + 1 + body[at])); at += 1 + body[at]; }
  if (at !== body.length) throw new Error("token");
  return { purpose, expiry, records, login };
}

/** A fresh replay id. */
export function newReplay() { return b64url(crypto.getRandomValues(new Uint8Array(16))); }

/** The receipt number of a replay id: 60 bits of SHA-256, Crockford base32, XXXX-XXXX-XXXX. */
/** @param {string} replay */
export async function receiptOf(replay) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", concat(enc.encode("tsunagu/receipt/v1\0"), unb64url(replay))));
  let bits = 0n;
  for (let i = 0; i < 8; i++) bits = (bits << 8n) | BigInt(digest[i]);
  bits >>= 4n;
  let s = "";
  for (let i = 0; i < 12; i++) s += CROCKFORD[Number((bits >> BigInt(55 - 5 * i)) & 31n)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/** The submission sealed to the site's public key, bound to its receipt (the AAD). */
/** @param {string} plaintext @param {string} publicKeyText @param {string} receipt */
export async function seal(plaintext, publicKeyText, receipt) {
  const R = unb64url(publicKeyText);
  const recipient = await crypto.subtle.importKey("raw", R, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const eph = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const E = new Uint8Array(await crypto.subtle.exportKey("raw", eph.publicKey));
  const Z = await crypto.subtle.deriveBits({ name: "ECDH", public: recipient }, eph.privateKey, 256);
  const ikm = await crypto.subtle.importKey("raw", Z, "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: concat(E, R), info: enc.encode("tsunagu/seal/v1") },
    ikm, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: enc.encode("tsunagu/seal/v1\0" + receipt) },
    key, enc.encode(plaintext)));
  return b64url(concat(new Uint8Array([1]), E, nonce, ct));
}

/** @param {number} ms */
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

/** POST until the relay answers for good: the same body every time (same replay, so same receipt, no double). */
/** @param {string} relay @param {object} body @param {(attempt: number) => void} onRetry @returns {Promise<Sent>} */
export async function send(relay, body, onRetry) {
  for (let attempt = 0; ; attempt++) {
    let res = null;
    try {
      res = await fetch(relay + "update", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body), credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store" });
    } catch (e) { res = null; }
    if (res && res.status === 202) return { ok: true, json: await res.json() };
    if (res && res.status < 500 && res.status !== 429 && res.status !== 408) {
      let json = {};
      try { json = await res.json(); } catch (e) { /* not JSON */ }
      return { ok: false, json };
    }
    if (attempt >= 7) return { ok: false, json: { message: "通信できませんでした。電波のよい所で、もう一度「送信」を押してください（二重には届きません）。" }, retry: true };
    onRetry(attempt + 1);
    const after = res && Number(res.headers.get("Retry-After"));
    await wait(after ? Math.min(after, 60) * 1000 : Math.min(2000 * 2 ** attempt, 30000));
  }
}

/** The outcome of a receipt, or null. @param {string} relay @param {string} receipt */
export async function outcome(relay, receipt) {
  try {
    const res = await fetch(relay + "receipt/" + receipt, { cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" });
    return res.ok ? await res.json() : null;
  } catch (e) { return null; }
}
