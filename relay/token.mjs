// Update-link tokens as the relay sees them (docs/relay-protocol.md § 2–3): canonical form, expiry and the
// relay tag under K_relay. The relay holds no key that could make or check the link MAC itself.

const enc = new TextEncoder();
const B64 = /^[A-Za-z0-9_-]*$/;
const TOKEN = /^[A-Za-z0-9_-]{40,2048}$/;
const REPLAY = /^[A-Za-z0-9_-]{22}$/;
const ID = /^[a-z0-9][a-z0-9-]{1,63}$/;
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const RECEIPT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
export const HOLDER = 0, ADMIN = 1, NOTE = 2;
const MAC_LEN = 16, RTAG_LEN = 8, MAX_RECORDS = 32;

export class Refused extends Error {
  constructor(reason) { super(reason); this.reason = reason; }
}

/** base64url without padding. */
export function b64(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of canonical base64url (the one spelling of them), or null. */
export function unb64(text) {
  if (typeof text !== "string" || !B64.test(text) || text.length % 4 === 1) return null;
  let raw;
  try {
    raw = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - text.length % 4) % 4));
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  return b64(bytes) === text ? bytes : null;   // nonzero unused bits would be a second spelling
}

function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Parse body bytes exactly to their end (one encoding per token), or null. */
export function parseBody(body) {
  if (body.length < 7) return null;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const [format, purpose, expiry, n] = [body[0], body[1], view.getUint32(2), body[6]];
  if (format !== 1 || ![HOLDER, ADMIN, NOTE].includes(purpose)) return null;
  if (purpose === ADMIN ? n !== 0 || expiry === 0 : n < 1 || n > MAX_RECORDS) return null;
  const ascii = (bytes) => String.fromCharCode(...bytes);
  let pos = 7, last = null;
  const records = [];
  for (let i = 0; i < n; i++) {
    if (pos + 4 > body.length) return null;
    const kind = body[pos], version = view.getUint16(pos + 1), length = body[pos + 3];
    const id = body.subarray(pos + 4, pos + 4 + length);
    if (![1, 2].includes(kind) || version === 0 || id.length !== length || !ID.test(ascii(id))) return null;
    const key = [kind, id];
    if (last && (last[0] > kind || (last[0] === kind && compareBytes(last[1], id) >= 0))) return null;
    last = key;
    records.push({ kind: kind === 1 ? "provider" : "physician", id: ascii(id), link_version: version });
    pos += 4 + length;
  }
  let login = null;
  if (purpose === ADMIN) {
    const length = pos < body.length ? body[pos] : 0;
    const raw = body.subarray(pos + 1, pos + 1 + length);
    if (length === 0 || raw.length !== length || !LOGIN.test(ascii(raw))) return null;
    login = ascii(raw);
    pos += 1 + length;
  }
  return pos === body.length ? { purpose, expiry, records, login } : null;
}

async function hmac(keyBytes, ...parts) {
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { data.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
}

function sameBytes(a, b) {        // constant time over the tag's length
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** The relay's check (§ 2): canonical token, known purpose, not expired, relay tag right; throws Refused. */
export async function relayCheck(text, relayKey, now) {
  if (typeof text !== "string" || !TOKEN.test(text)) throw new Refused("bad_token");
  const raw = unb64(text);
  if (!raw || raw.length < 7 + MAC_LEN + RTAG_LEN) throw new Refused("bad_token");
  const body = raw.subarray(0, raw.length - MAC_LEN - RTAG_LEN);
  const rtag = raw.subarray(raw.length - RTAG_LEN);
  const token = parseBody(body);
  if (!token) throw new Refused("bad_token");
  if (token.expiry !== 0 && now >= token.expiry) throw new Refused("expired");
  const want = (await hmac(relayKey, enc.encode("tsunagu/relay/v1\0"), raw.subarray(0, raw.length - RTAG_LEN)))
    .subarray(0, RTAG_LEN);
  if (!sameBytes(want, rtag)) throw new Refused("bad_token");
  return token;
}

/** The 16 bytes of a replay id, or null. */
export function parseReplay(text) {
  if (typeof text !== "string" || !REPLAY.test(text)) return null;
  const raw = unb64(text);
  return raw && raw.length === 16 ? raw : null;
}

async function sha256(...parts) {
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { data.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

/** The receipt number of a replay id: 60 bits, Crockford base32, XXXX-XXXX-XXXX. */
export async function receiptOf(replay) {
  const digest = await sha256(enc.encode("tsunagu/receipt/v1\0"), replay);
  let bits = 0n;
  for (const b of digest.subarray(0, 8)) bits = (bits << 8n) | BigInt(b);
  bits >>= 4n;
  let symbols = "";
  for (let i = 0; i < 12; i++) symbols += CROCKFORD[Number((bits >> BigInt(55 - 5 * i)) & 31n)];
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}

/** The link's public name: 32 hex of a hash of the token text (rate limits, the issue's `link:` line). */
export async function linkId(tokenText) {
  const digest = await sha256(enc.encode("tsunagu/link-id/v1\0"), enc.encode(tokenText));
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A 32-byte key from 64 hex characters, or null. */
export function hexKey(text) {
  if (typeof text !== "string" || !/^[0-9a-fA-F]{64}$/.test(text.trim())) return null;
  return Uint8Array.from(text.trim().match(/../g), (h) => parseInt(h, 16));
}

/** The relay's tag over the issue it writes (§ 6): an issue edited afterwards no longer verifies. */
export async function issueTag(relayKey, title, body) {
  const digest = await hmac(relayKey, enc.encode("tsunagu/issue/v1\0"), enc.encode(`${title}\n`), enc.encode(body));
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}
