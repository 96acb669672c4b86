// The relay (docs/relay-protocol.md § 4, 6, 7): one handler for a Cloudflare Pages Function, a Worker and a
// Netlify Function. It takes a sealed submission by POST, checks the token's relay tag, rate-limits per link
// and per address, and hands the submission to the repository as exactly one issue. A GET changes nothing.
// It never sees a status in clear (the page seals it to the repository's key) and logs no request body.

import { Forge, ForgeError } from "./github.mjs";
import { ADMIN, HOLDER, NOTE, RECEIPT, Refused, hexKey, issueTag, linkId, parseReplay, receiptOf, relayCheck, unb64 }
  from "./token.mjs";

const MAX_BYTES = 32 * 1024;
const HOUR = 3600;
const SEALED = /^[A-Za-z0-9_-]{100,43000}$/;
const KEYS = ["replay", "sealed", "token", "type", "v"];
export const MESSAGES = {
  bad_request: "送信内容を読み取れませんでした。",
  too_large: "送信内容が大きすぎます。",
  rate_limited: "送信が多すぎます。しばらくしてからもう一度お試しください。",
  unavailable: "ただいま送信できません。しばらくしてからもう一度お試しください。",
  bad_token: "このリンクは正しくありません。届いた案内のリンクをもう一度開くか、事務局にお問い合わせください。",
  expired: "このリンクは有効期限が切れています。新しいリンクを事務局にお問い合わせください。",
  revoked: "このリンクは無効になりました（新しいリンクが発行されています）。事務局にお問い合わせください。",
  not_allowed: "このリンクでは、この情報は変更できません。",
  unknown_record: "この情報は名簿に見つかりませんでした。事務局にお問い合わせください。",
  invalid: "送信内容に誤りがあり、反映できませんでした。もう一度入力してください。",
  unsealed: "送信内容を開けませんでした。もう一度送信してください。",
};
const OUTCOMES = {
  applied: { label: "反映済み" },
  review: { label: "確認待ち", message: "事務局が確認してから反映します。" },
  noted: { label: "受け付けました", message: "事務局に届きました。" },
};

/** Hits in the last window per key, kept in this instance's memory (a platform limiter may add a durable one). */
export class Window {
  constructor() { this.hits = new Map(); }
  count(key, now, span = HOUR) {
    const kept = (this.hits.get(key) || []).filter((t) => t > now - span);
    if (kept.length) this.hits.set(key, kept); else this.hits.delete(key);
    return kept.length;
  }
  add(key, now) {
    if (this.hits.size > 10000) for (const k of [...this.hits.keys()]) this.count(k, now);   // forget idle keys
    this.hits.set(key, [...(this.hits.get(key) || []), now]);
  }
}
const memory = { address: new Window(), link: new Window(), replays: new Map() };

function remember(replay, now) {
  if (memory.replays.size > 10000) {
    for (const [key, at] of memory.replays) if (at <= now - HOUR) memory.replays.delete(key);
  }
  memory.replays.set(replay, now);
}

function limit(env, name, fallback) {
  const value = Number.parseInt(env[name] ?? "", 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function respond(status, body, cors, extra = {}) {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff", ...cors, ...extra },
  });
}

const refusal = (status, error, cors, extra) => respond(status, { error, message: MESSAGES[error] }, cors, extra);

/** Whether a `sealed` value has the shape of a sealed box: 0x01, a P-256 point, a nonce, ciphertext and tag. */
async function isSealed(text) {
  if (typeof text !== "string" || !SEALED.test(text)) return false;
  const raw = unb64(text);
  if (!raw || raw[0] !== 1 || raw.length < 1 + 65 + 12 + 17) return false;
  try {
    await crypto.subtle.importKey("raw", raw.subarray(1, 66), { name: "ECDH", namedCurve: "P-256" }, false, []);
  } catch {
    return false;                   // not a point of the curve: not something the page sealed
  }
  return true;
}

async function readJson(request) {
  if (Number(request.headers.get("Content-Length") || 0) > MAX_BYTES) return { error: "too_large" };
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > MAX_BYTES) return { error: "too_large" };
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return value && typeof value === "object" && !Array.isArray(value) ? { value } : { error: "bad_request" };
  } catch {
    return { error: "bad_request" };
  }
}

async function submit(request, env, platform, cors, now) {
  const relayKey = hexKey(env.TSUNAGU_RELAY_KEY);
  if (!relayKey) throw new ForgeError("relay not configured: TSUNAGU_RELAY_KEY");
  const address = platform.address || "unknown";
  memory.address.add(address, now);
  if (!(request.headers.get("Content-Type") || "").toLowerCase().startsWith("application/json")) {
    return refusal(400, "bad_request", cors);
  }
  const read = await readJson(request);
  if (read.error) return refusal(read.error === "too_large" ? 413 : 400, read.error, cors);
  const sent = read.value;
  if (Object.keys(sent).sort().join() !== KEYS.join() || sent.v !== 1 || !["update", "note"].includes(sent.type)) {
    return refusal(400, "bad_request", cors);
  }
  const replay = parseReplay(sent.replay);
  if (!replay || !(await isSealed(sent.sealed))) return refusal(400, "bad_request", cors);
  let token;
  try {
    token = await relayCheck(sent.token, relayKey, now);
  } catch (error) {
    if (error instanceof Refused) return refusal(403, error.reason, cors);
    throw error;
  }
  const allowed = sent.type === "update" ? [HOLDER, ADMIN] : [HOLDER, NOTE];
  if (!allowed.includes(token.purpose)) return refusal(403, "bad_token", cors);
  const retry = { "Retry-After": "600" };
  const admin = token.purpose === ADMIN;     // an admin entering phone answers by proxy sends many in an hour
  const perAddress = limit(env, "TSUNAGU_LIMIT_ADDRESS", 30);
  if (!admin && (memory.address.count(address, now) > perAddress
      || (platform.limited && await platform.limited(address)))) {
    return refusal(429, "rate_limited", cors, retry);
  }
  const receipt = await receiptOf(replay);
  if (memory.replays.get(sent.replay) > now - HOUR) return respond(202, { receipt }, cors);
  const link = await linkId(sent.token);
  const perLink = admin ? limit(env, "TSUNAGU_LIMIT_ADMIN", 300) : limit(env, "TSUNAGU_LIMIT_LINK", 10);
  if (memory.link.count(link, now) >= perLink) return refusal(429, "rate_limited", cors, retry);
  const title = `tsunagu ${sent.type} ${receipt}`;
  const forge = new Forge(env, now);
  await forge.open("write");
  try {
    const recent = await forge.recentIssues(now - HOUR);
    if (recent.some((issue) => issue.title === title)) {        // a retry whose answer was lost: no second issue
      remember(sent.replay, now);
      return respond(202, { receipt }, cors);
    }
    const line = `\nlink: ${link}\n`;
    const sameLink = recent.filter((i) => typeof i.body === "string" && i.body.includes(line)
      && Date.parse(i.created_at) / 1000 > now - HOUR);
    if (sameLink.length >= perLink) return refusal(429, "rate_limited", cors, retry);
    const body = `tsunagu-relay: 1\ntype: ${sent.type}\nreceipt: ${receipt}\nlink: ${link}\nsealed: ${sent.sealed}\n`;
    await forge.createIssue(title, `${body}tag: ${await issueTag(relayKey, title, body)}\n`);
  } finally {
    await forge.close();
  }
  memory.link.add(link, now);
  remember(sent.replay, now);
  return respond(202, { receipt }, cors);
}

async function outcome(receipt, env, platform, cors, now) {
  if (!RECEIPT.test(receipt)) return refusal(400, "bad_request", cors);
  const address = platform.address || "unknown";
  memory.address.add(`receipt ${address}`, now);
  if (memory.address.count(`receipt ${address}`, now) > limit(env, "TSUNAGU_LIMIT_RECEIPTS", 360)) {
    return refusal(429, "rate_limited", cors, { "Retry-After": "60" });
  }
  const forge = new Forge(env, now);
  await forge.open("read");
  let issue;
  try {
    issue = await forge.findReceipt(receipt);
  } finally {
    await forge.close();
  }
  const labels = (issue?.labels || []).map((l) => (typeof l === "string" ? l : l.name)).filter(Boolean);
  const mark = labels.find((l) => l.startsWith("tsunagu-outcome:"));
  if (!mark) return respond(200, { receipt, outcome: "pending", label: "処理中" }, cors);
  const [, result, reason] = mark.split(":");
  if (result === "refused") {
    const known = Object.hasOwn(MESSAGES, reason) ? reason : "invalid";
    return respond(200, { receipt, outcome: "refused", label: "受け付けできませんでした", reason: known,
      message: MESSAGES[known] }, cors);
  }
  if (!Object.hasOwn(OUTCOMES, result)) return respond(200, { receipt, outcome: "pending", label: "処理中" }, cors);
  return respond(200, { receipt, outcome: result, ...OUTCOMES[result] }, cors);
}

/** Answer one request. `platform`: {address, limited?(address) -> Promise<bool>}; env: the relay's settings. */
export async function handle(request, env, platform = {}) {
  const url = new URL(request.url);
  const site = env.TSUNAGU_SITE_ORIGIN || url.origin;
  const origin = request.headers.get("Origin");
  const cors = site !== url.origin ? { "Access-Control-Allow-Origin": site, Vary: "Origin" } : {};
  if (origin && origin !== site) return refusal(400, "bad_request", cors);
  const now = Math.floor(Date.now() / 1000);
  const receipt = url.pathname.match(/^\/api\/receipt\/([^/]+)$/);
  if (url.pathname !== "/api/update" && !receipt) return respond(404, { error: "not_found" }, cors);
  const method = receipt ? "GET" : "POST";
  if (request.method === "OPTIONS") {
    return respond(204, null, { ...cors, "Access-Control-Allow-Methods": method,
      "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600" });
  }
  if (request.method !== method) return respond(405, { error: "method" }, cors, { Allow: method });
  try {
    return receipt ? await outcome(receipt[1], env, platform, cors, now)
      : await submit(request, env, platform, cors, now);
  } catch (error) {
    // The forge's errors name the call and its status; anything else (a malformed setting) only its kind:
    // never a body, a token or a key.
    console.error(`tsunagu relay: ${error instanceof ForgeError ? error.message : error?.name || "error"}`);
    return refusal(502, "unavailable", cors);
  }
}
