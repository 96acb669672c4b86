// @ts-check
/* The service worker, a module (the published sw.js only imports this file: publish/shell.py). It finds every
   protected file in the packs through the encrypted manifest, checks its SHA-256, decrypts it and answers the page
   (or Pagefind's worker) with the plaintext; public files pass through.
   Routing (sw-route.js), the cache (sw-store.js), the build and its checks (sw-build.js), the reader (sw-read.js),
   the answers (sw-pages.js) and 「この端末に保存」 (sw-save.js) are modules of their own. */
import { current, forget, settle } from "./sw-build.js";
import { publicFile, serve } from "./sw-pages.js";
import { sections, warm } from "./sw-read.js";
import { classify, isRuntime, sw } from "./sw-route.js";
import { saveAll } from "./sw-save.js";
import { clear } from "./sw-store.js";

sw.addEventListener("install", () => sw.skipWaiting());
sw.addEventListener("activate", (/** @type {ExtendableEvent} */ e) => e.waitUntil(sw.clients.claim()));
sw.addEventListener("message", (/** @type {ExtendableMessageEvent} */ e) => {
  if (e.data === "logout" || e.data === "unlocked") forget();
  if (e.data === "logout") e.waitUntil(clear());
  if (e.data && e.data.type === "save-all" && e.ports[0]) e.waitUntil(saveAll(Array.isArray(e.data.urls) ? e.data.urls : [], e.ports[0]));
  if (e.data && e.data.type === "warm" && Array.isArray(e.data.paths)) e.waitUntil(warm(e.data.paths.slice(0, 100)));
});

sw.addEventListener("fetch", (/** @type {FetchEvent} */ event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  const target = classify(url);
  if (target) {
    const answer = serve(req, target);
    event.respondWith(answer);
    // Once a page is answered: the build's locator (where each record page sits) and dictionary (what record pages
    // are deflated against) read, and older builds' files evicted.
    if (target.page) {
      event.waitUntil(answer.then(() => {
        const b = current();
        return b ? Promise.all([settle(b), sections(b).catch(() => {})]) : undefined;
      }).catch(() => {}));
    }
    return;
  }
  if (isRuntime(url)) event.respondWith(publicFile(req));
});
