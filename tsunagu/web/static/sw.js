/* Service worker: decrypts every protected response on the fly; public files pass through. */
"use strict";
importScripts("assets/tsunagu-crypto.js");

const SCOPE = new URL(self.registration.scope).pathname;          // "/" or "/repo/"
const CACHE = "tsunagu-ciphertext-v1";
const PUBLIC = ["unlock/", "assets/", "sw.js", "keys.json", "pagefind/pagefind.js",
                "pagefind/pagefind-worker.js", "pagefind/wasm.", "favicon.ico", "robots.txt"];
const TYPES = { html: "text/html; charset=utf-8", json: "application/json", csv: "text/csv; charset=utf-8" };
let keys = new Map();      // build id -> content CryptoKey
let session = null;        // { kek, salt, iterations, expires }

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("message", (e) => {
  if (e.data === "logout" || e.data === "unlocked") { keys = new Map(); session = null; currentBuild = null; }
  if (e.data === "logout") e.waitUntil(caches.delete(CACHE));
});

/** Which protected file a request is for, or null for public and foreign requests. */
function classify(url) {
  if (url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return null;
  let rel;
  try { rel = decodeURIComponent(url.pathname.slice(SCOPE.length)); } catch (e) { return null; }
  if (rel.includes("..") || PUBLIC.some((p) => rel === p || rel.startsWith(p))) return null;
  if (rel === "" || rel.endsWith("/")) return { page: true, path: rel + "index.html", rel };
  if (rel.endsWith(".html")) return { page: true, path: rel, rel };
  if (rel.startsWith("pagefind/") || rel.startsWith("data/")) return { page: false, path: rel, rel };
  return null;
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const target = classify(new URL(req.url));
  if (target) event.respondWith(serve(req, target));
});

let currentBuild = null;   // build id of the newest keys.json seen
const STALE = "stale";     // a ciphertext of an older build than keys.json: fetch it again

/** Pagefind names its index files by content, so a cached copy of this build is still right. */
async function cachedOfThisBuild(url, path) {
  if (!currentBuild || !path.startsWith("pagefind/") || path.endsWith(".json")) return null;
  const hit = await caches.match(url);
  if (!hit) return null;
  const buf = await hit.clone().arrayBuffer();
  return TSU.buildOf(buf) === currentBuild ? hit : null;
}

async function fetchCipher(path, reload) {
  const url = SCOPE + path + ".enc";
  const hit = reload ? null : await cachedOfThisBuild(url, path);
  if (hit) return hit;
  try {
    const res = await fetch(url, { cache: reload ? "reload" : "no-cache", credentials: "same-origin" });
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(url, copy)).catch(() => {});
    }
    return res;
  } catch (e) {
    const cached = await caches.match(url);   // offline: the last ciphertext seen
    if (cached) return cached;
    throw e;
  }
}

async function currentSession() {
  if (session && session.expires > Date.now()) return session;
  session = await TSU.getSession();
  return session;
}

/** The content key of a build, unwrapped with the stored KEK; null means locked. */
async function contentKey(build) {
  const s = await currentSession();
  if (!s) return null;
  if (keys.has(build)) return keys.get(build);
  let res;
  try { res = await fetch(SCOPE + "keys.json", { cache: "no-store" }); } catch (e) { res = await caches.match(SCOPE + "keys.json"); }
  if (!res || !res.ok) return null;
  const copy = res.clone();
  caches.open(CACHE).then((c) => c.put(SCOPE + "keys.json", copy)).catch(() => {});
  const list = await res.json();
  currentBuild = list.build;
  if (list.build !== build) return STALE;
  const key = await TSU.unwrapContentKey(list, s.kek, s.salt, s.iterations);
  if (key) keys.set(build, key);
  return key;
}

function toUnlock(target, req) {
  const search = new URL(req.url).search;
  const next = encodeURIComponent(target.rel + search);
  return Response.redirect(SCOPE + "unlock/?next=" + next, 302);
}

function plainPage(status, title, text) {
  const html = `<!doctype html><html lang="ja"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="${SCOPE}assets/style.css"><main class="locked"><h1>${title}</h1><p>${text}</p><p><a href="${SCOPE}unlock/">ロック解除ページへ</a></p></main>`;
  return new Response(html, { status, headers: { "content-type": TYPES.html, "cache-control": "no-store" } });
}

async function serve(req, target, reload) {
  const s = await currentSession();
  if (!s) return target.page ? toUnlock(target, req) : new Response("locked", { status: 401 });
  let res;
  try { res = await fetchCipher(target.path, reload); } catch (e) {
    return target.page ? plainPage(503, "オフラインです", "ネットワークに接続できず、このページは端末に保存されていません。") : Response.error();
  }
  if (res.status === 404 && target.page && target.path !== "404.html") {
    const nf = await serve(req, { page: true, path: "404.html", rel: target.rel });
    return new Response(nf.body, { status: 404, headers: nf.headers });
  }
  if (!res.ok) return new Response(null, { status: res.status });
  const buf = await res.arrayBuffer();
  const build = TSU.buildOf(buf);
  if (!build) return plainPage(500, "データを読み込めません", "暗号化されたファイルの形式が正しくありません。");
  const key = await contentKey(build);
  // An HTTP cache (or a host's Last-Modified to the second) handed us the previous build's file.
  if (key === STALE) return reload ? new Response(null, { status: 503 }) : serve(req, target, true);
  if (!key) {
    // The password was changed or removed, or the session expired: lock again.
    keys = new Map(); session = null;
    await TSU.clearSession().catch(() => {});
    return target.page ? toUnlock(target, req) : new Response("locked", { status: 401 });
  }
  let plain;
  try { plain = await TSU.decrypt(target.path, buf, key); } catch (e) {
    return target.page ? plainPage(500, "改ざんを検出しました", "このページの内容が正しくありません（改ざんまたは破損）。管理者に連絡してください。")
                       : new Response("integrity check failed", { status: 500 });
  }
  const ext = target.path.split(".").pop();
  return new Response(plain, { status: 200, headers: {
    "content-type": TYPES[ext] || "application/octet-stream", "cache-control": "no-store",
    "x-content-type-options": "nosniff" } });
}
