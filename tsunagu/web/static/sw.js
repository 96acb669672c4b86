/* Service worker: finds every protected file in the packs through the encrypted manifest, checks its
   SHA-256, decrypts it and answers the page (or Pagefind's worker) with the plaintext; public files
   pass through. Packs are immutable (named by a hash of their bytes), so they are cached for offline
   use; keys.json is fetched again on every page view, so a new build is picked up when online. */
"use strict";
importScripts("assets/tsunagu-crypto.js");

const SCOPE = new URL(self.registration.scope).pathname;          // "/" or "/repo/"
const CACHE = "tsunagu-ciphertext-v2";
const PUBLIC = ["unlock/", "update/", "api/", "assets/", "sw.js", "keys.json", "p/", "pagefind/pagefind.js",
                "pagefind/pagefind-worker.js", "pagefind/wasm.", "favicon.ico", "robots.txt"];
const TYPES = { html: "text/html; charset=utf-8", json: "application/json", csv: "text/csv; charset=utf-8" };
let build = null;          // { keysText, key, root, group, dirs: Map } of the build last opened
let session = null;        // { kek, expires }

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("message", (e) => {
  if (e.data === "logout" || e.data === "unlocked") { build = null; session = null; }
  if (e.data === "logout") { store = null; e.waitUntil(caches.delete(CACHE)); }
  if (e.data && e.data.type === "save-all" && e.ports[0]) e.waitUntil(saveAll(e.data.urls || [], e.ports[0]));
  if (e.data && e.data.type === "warm" && Array.isArray(e.data.paths)) e.waitUntil(warm(e.data.paths.slice(0, 100)));
});

/** The directories of the packs holding record pages linked on the reader's screen (app.js): fetched and
    kept now, so opening one of those pages needs only its own entry. */
async function warm(paths) {
  try {
    const b = await openBuild(false);
    const pages = paths.filter((p) => typeof p === "string" && /^r\/[a-z0-9]+\.html$/.test(p) && !b.solo.has(p + "\0" + 0));
    const packs = new Set(await Promise.all(pages.map((p) => TSU.packOf(b.group, b.root.packs, p, 0))));
    await Promise.all([...packs].map((n) => directory(b, n).catch(() => null)));
  } catch (e) { /* locked or offline: nothing to warm */ }
}

/** 「この端末に保存」: every pack of this build, and the page's own scripts and styles, into the cache
    (ciphertext only), so the whole directory opens and searches without a network. */
async function saveAll(urls, port) {
  try {
    const b = await openBuild(false);
    const packs = [...b.root.dirs.filter((d) => d).map((d) => d[0]), ...b.root.solo.map((e) => e[3])];
    const names = [...new Set(packs)].map((digest) => SCOPE + fileName(digest));
    const runtime = urls.filter((u) => typeof u === "string" && u.startsWith(SCOPE));
    let bytes = 0, done = 0;
    for (const url of [...names, ...runtime]) {
      if (!(await cached(url)) || runtime.includes(url)) {
        const res = await fetch(url, { credentials: "same-origin" });
        if (!res.ok && runtime.includes(url)) continue;   // a runtime file this site does not have
        if (!res.ok) throw new Error(`${res.status}`);
        const body = new Uint8Array(await res.arrayBuffer());
        await remember(url, new Response(body, { headers: { "Content-Type": res.headers.get("Content-Type") || "" } }));
        bytes += body.length;
      }
      done += 1;
      if (done % 20 === 0) port.postMessage({ done, total: names.length + runtime.length });
    }
    port.postMessage({ finished: true, total: names.length + runtime.length, bytes });
  } catch (err) {
    port.postMessage({ error: String((err && err.message) || err) });
  }
}

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
  const url = new URL(req.url);
  const target = classify(url);
  if (target) {
    const answer = serve(req, target);
    event.respondWith(answer);
    // Once a page is answered, the build's locator (where each record page sits) is fetched, if not yet.
    if (target.page) event.waitUntil(answer.then(() => build && locate(build)).catch(() => {}));
    return;
  }
  const runtime = ["assets/", "pagefind/pagefind", "pagefind/wasm."].some((p) => url.pathname.startsWith(SCOPE + p));
  if (url.origin === self.location.origin && runtime) {
    event.respondWith(publicFile(req));
  }
});

/** Styles, scripts and Pagefind's runtime: from the network when online (a new build brings new ones),
    from the cache offline, so pages seen once still work without a connection. One fetched while the
    keys.json a page view just checked was already current belongs to that build: it is used again
    without a round trip until keys.json changes. */
async function publicFile(req) {
  const key = new URL(req.url).pathname, tag = build ? build.tag : "";
  const hit = tag && await cached(key);
  if (hit && hit.headers.get("x-tsunagu-build") === tag) return hit;
  try {
    const res = await fetch(req);
    if (res.ok) {
      const headers = new Headers(res.headers);
      headers.set("x-tsunagu-build", tag);
      res.clone().blob().then((body) => remember(key, new Response(body, { status: res.status, headers }))).catch(() => {});
    }
    return res;
  } catch (e) {
    const hit = await cached(key);
    if (hit) return hit;
    throw e;
  }
}

class Locked extends Error {}
class Refused extends Error {}   // tampered, rolled back or unsupported: never decrypted, never shown

let store = null;   // the opened cache, once per worker (opening it for every lookup costs each one)
const opened = () => (store = store || caches.open(CACHE).catch((e) => { store = null; throw e; }));
async function cached(key) { try { return await (await opened()).match(key); } catch (e) { return undefined; } }
async function remember(key, res) { try { await (await opened()).put(key, res); } catch (e) { /* quota */ } }

/** Bytes [offset, offset+length) of a pack: a Range request, or the whole pack where a host ignores Range. */
async function packBytes(name, offset, length, early = false) {
  const url = SCOPE + name, key = `${url}?range=${offset}-${length}`;
  const [slice, pack] = await Promise.all([cached(key), cached(url)]);
  if (slice) return new Uint8Array(await slice.arrayBuffer());
  if (pack) return new Uint8Array(await pack.arrayBuffer()).slice(offset, offset + length);
  // An entry fetched early goes past the HTTP cache, which holds a 2nd request for an address until the 1st ends.
  const res = await fetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` }, credentials: "same-origin", cache: early ? "no-store" : "default" });
  if (res.status === 206) {
    const buf = new Uint8Array(await res.arrayBuffer());
    remember(key, new Response(buf));
    return buf;
  }
  if (!res.ok) throw new Refused(`pack ${res.status}`);
  const whole = new Uint8Array(await res.arrayBuffer());
  remember(url, new Response(whole));
  return whole.slice(offset, offset + length);
}

/** A file's public name from its short hash (packs.file_name). */
const fileName = (digest) => "p/" + digest + ".bin";

/** The bytes, checked against a SHA-256 (a pack directory entry) or its first 128 bits (the root manifest). */
async function checked(name, offset, length, digest, fetched) {
  const blob = await (fetched || packBytes(name, offset, length));
  const ok = (digest.length === 32 || digest.length === 64) && (await TSU.sha256hex(blob)).slice(0, digest.length) === digest;
  if (blob.length !== length || !ok) throw new Refused("hash mismatch");
  return blob;
}

async function keysJson(fresh) {
  const url = SCOPE + "keys.json";
  if (fresh) {
    try {
      const res = await fetch(url, { cache: "no-store", credentials: "same-origin" });
      if (res.ok) { const text = await res.text(); remember(url, new Response(text)); return text; }
    } catch (e) { /* offline: the last keys.json seen */ }
  }
  const hit = await cached(url);
  if (hit) return hit.text();
  if (!fresh) return keysJson(true);
  throw new Locked("no keys.json");
}

/** The build to read from: keys.json checked, its epoch not older than any seen, its manifest verified. */
async function openBuild(fresh) {
  // Every page view reads the stored key again: logout in another tab, or expiry, takes effect at once
  // (an expired key is deleted there, not just ignored).
  session = !fresh && session && session.expires > Date.now() ? session : await TSU.getSession();
  if (!session) { build = null; throw new Locked("no session"); }
  // Pagefind's many requests use the build a page view just checked (this worker's only copy of keys.json).
  if (build && !fresh) return build;
  const text = await keysJson(fresh || !build);
  if (build && build.keysText === text) return build;
  let keys;
  try { keys = TSU.checkKeys(JSON.parse(text)); } catch (e) { throw new Refused("unsupported keys.json"); }
  if (keys.epoch < await TSU.seenEpoch()) throw new Refused("rollback");
  const key = await TSU.unwrapContentKey(keys, session.kek);
  if (!key) { await TSU.clearSession().catch(() => {}); session = null; throw new Locked("password changed"); }
  const rootRes = (await cached(SCOPE + keys.root)) || await fetch(SCOPE + keys.root, { credentials: "same-origin" });
  const rootBlob = new Uint8Array(await rootRes.arrayBuffer());
  if (await TSU.sha256hex(rootBlob) !== keys.root_sha256) throw new Refused("root manifest mismatch");
  remember(SCOPE + keys.root, new Response(rootBlob));
  const root = JSON.parse(new TextDecoder().decode(await TSU.openSealed(key, TSU.rootAd(), rootBlob)));
  if (root.v !== 3) throw new Refused("unsupported root manifest");
  await TSU.noteEpoch(keys.epoch);
  build = { keysText: text, tag: keys.root_sha256, epoch: keys.epoch, key, root, group: await TSU.hmacKey(TSU.b64(root.group)), dirs: new Map(),
            loc: new Map(), locating: null, solo: new Map(root.solo.map((e) => [e[0] + "\0" + e[1], e])) };
  return build;
}

/** A pack's directory, fetched once even when Pagefind asks for many of its entries at the same time. */
function directory(b, number) {
  if (!b.dirs.has(number)) {
    const d = b.root.dirs[number];
    if (!d) return Promise.resolve(null);
    const [digest, offset, length] = d, name = fileName(digest);
    const pending = checked(name, offset, length, digest)
      .then((blob) => TSU.openSealed(b.key, TSU.dirAd(number), blob))
      .then((plain) => ({ name, entries: new Map(JSON.parse(new TextDecoder().decode(plain)).map((e) => [e[0] + "\0" + e[1], e])) }));
    pending.catch(() => b.dirs.delete(number));   // a failed fetch (offline) is tried again next time
    b.dirs.set(number, pending);
  }
  return b.dirs.get(number);
}

/** The build's locator parts (ciphertext cached by name like the packs), read once, in the background. */
function locate(b) {
  b.locating = b.locating || Promise.all((b.root.loc || []).map(async ([digest, length, first, end]) => {
    const plain = await TSU.openSealed(b.key, TSU.locAd(first), await checked(fileName(digest), 0, length, digest));
    for (const [number, rows] of TSU.readLocator(plain, first, end)) b.loc.set(number, rows);
  })).catch(() => { b.locating = null; });   // offline or refused: the directory is read first, and this is tried again
  return b.locating;
}

async function readPart(b, path, part) {
  const solo = b.solo.get(path + "\0" + part);   // an entry that is a file of its own
  if (solo) {
    const [, , parts, digest, length] = solo;
    const blob = await checked(fileName(digest), 0, length, digest);
    return { parts, body: await TSU.openSealed(b.key, TSU.entryAd(path, part, parts), blob) };
  }
  const slot = await TSU.slotOf(b.group, path, part), number = TSU.packOfSlot(slot, b.root.packs);
  // A record page fetched beside its directory, where the locator says it is; used if the directory agrees.
  const hit = TSU.isLocated(path) && b.root.dirs[number] && b.loc.has(number) && b.loc.get(number).get(TSU.locTag(slot));
  const early = hit ? packBytes(fileName(b.root.dirs[number][0]), hit[0], hit[1], true) : null;
  if (early) early.catch(() => {});
  const dir = await directory(b, number);
  const e = dir && dir.entries.get(path + "\0" + part);
  if (!e) return null;
  const [, , parts, offset, length, digest] = e;
  const agrees = early && offset === hit[0] && length === hit[1];
  const blob = await checked(dir.name, offset, length, digest, agrees ? early : null);
  return { parts, body: await TSU.openSealed(b.key, TSU.entryAd(path, part, parts), blob) };
}

/** The plaintext of a logical path, every part checked; null if the build has no such path. */
async function readFile(b, path) {
  const first = await readPart(b, path, 0);
  if (!first) return null;
  const bodies = [first.body];
  for (let i = 1; i < first.parts; i++) {
    const next = await readPart(b, path, i);
    if (!next || next.parts !== first.parts) throw new Refused("missing part");
    bodies.push(next.body);
  }
  return new Blob(bodies);
}

/** A file from the current build. A page view fetches keys.json again; meanwhile the page is read from the
    build in memory, used only if keys.json has not changed (so an unchanged build costs no round trip). */
async function readLatest(target) {
  const guess = target.page && session && build;
  const early = guess ? readFile(guess, target.path) : null;
  if (early) early.catch(() => {});   // judged below, only if this build is still the current one
  const b = await openBuild(target.page);
  return { b, body: await (b === guess ? early : readFile(b, target.path)) };
}

function toUnlock(target, req) {
  const next = encodeURIComponent(target.rel + new URL(req.url).search);
  return Response.redirect(SCOPE + "unlock/?next=" + next, 302);
}

function plainPage(status, title, text) {
  const html = `<!doctype html><html lang="ja"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="${SCOPE}assets/style.css"><main class="locked"><h1>${title}</h1><p>${text}</p><p><a href="${SCOPE}unlock/">ロック解除ページへ</a></p></main>`;
  return new Response(html, { status, headers: { "content-type": TYPES.html, "cache-control": "no-store" } });
}

function refusal(target, err) {
  if (!target.page) return new Response("refused", { status: 500 });
  if (err.message === "rollback") {
    return plainPage(409, "古い版が配信されています", "この端末は、これより新しい版のサイトを表示したことがあります。古い版は安全のため表示しません。しばらくしてから再読み込みするか、管理者に連絡してください。");
  }
  if (err.message === "unsupported keys.json") {
    return plainPage(500, "安全でない設定です", "鍵の設定（keys.json）がこの版の安全基準を満たしていないため、表示しません。管理者に連絡してください。");
  }
  return plainPage(500, "改ざんを検出しました", "このページの内容が正しくありません（改ざんまたは破損）。管理者に連絡してください。");
}

async function serve(req, target) {
  let b;
  try {
    let body;
    ({ b, body } = await readLatest(target));
    let status = 200;
    if (!body && target.page) { body = await readFile(b, "404.html"); status = 404; }
    if (!body) return new Response(null, { status: 404 });
    const ext = target.path.split(".").pop();
    return new Response(body, { status, headers: {
      "content-type": TYPES[ext] || "application/octet-stream", "cache-control": "no-store", "x-content-type-options": "nosniff" } });
  } catch (err) {
    if (err instanceof Locked) return target.page ? toUnlock(target, req) : new Response("locked", { status: 401 });
    if (err instanceof Refused || (err && err.name === "OperationError")) { build = null; return refusal(target, err); }
    return target.page ? plainPage(503, "オフラインです", "ネットワークに接続できず、このページは端末に保存されていません。") : Response.error();
  }
}
