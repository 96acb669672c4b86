// @ts-check
/* Every decrypted page: the clock, logout, print, 「この端末に保存」, the offline banner, the sheet's one-area view,
   and the pack directories of the records on screen fetched ahead. */
import { forgetSaved, markSaved } from "./saved.js";
import { startClock } from "./time.js";
import { RECORD_DIR } from "./wire.js";

// The base URI, not the address: a not-found page shown at any depth has the site root as its <base> (sw-pages.js).
const root = new URL(document.body.dataset.root || "./", document.baseURI);

/** The element a click landed in, if it matches. @param {Event} event @param {string} css */
const hit = (event, css) => (event.target instanceof Element ? event.target.closest(css) : null);

startClock();

document.addEventListener("click", async (event) => {
  if (hit(event, "[data-print]")) { window.print(); return; }
  if (!hit(event, "[data-logout]")) return;
  try {
    await new Promise((resolve) => {
      const req = indexedDB.deleteDatabase("tsunagu");
      req.onsuccess = req.onerror = req.onblocked = () => resolve(undefined);
    });
    if (window.caches) for (const name of await caches.keys()) await caches.delete(name);
    const reg = await navigator.serviceWorker.ready;
    if (reg.active) reg.active.postMessage("logout");
    forgetSaved();
  } finally {
    location.replace(new URL("unlock/?logout=1", root));
  }
});

/** What the service worker answers for 「この端末に保存」 (sw-save.js). A failure names its kind, not its text.
    @typedef {{ done?: number, total?: number, finished?: boolean, bytes?: number, failed?: "storage-full" | "refused" | "network" }} SaveReport */
/** @type {Record<string, string>} */
const SAVE_FAILED = {
  "storage-full": "保存できませんでした。この端末の保存容量が足りません。ほかのアプリや写真を整理して空きを作るか、ブラウザーの設定でこのサイトの保存を許可してから、もう一度お試しください。",
  refused: "保存できませんでした。受け取ったデータが正しくありません（改ざんまたは破損）。管理者に連絡してください。",
  network: "保存できませんでした。通信できる場所でもう一度お試しください。",
};

/* 「この端末に保存」: the service worker caches the whole directory (ciphertext only) for use offline. */
document.addEventListener("click", async (event) => {
  const button = hit(event, "[data-save-offline]");
  if (!(button instanceof HTMLButtonElement)) return;
  const status = document.querySelector("[data-save-status]");
  const say = (/** @type {string} */ text) => { if (status) status.textContent = text; };
  const assets = (button.dataset.assets || "").split(" ").filter(Boolean).map((a) => "assets/" + a);
  const runtime = [...assets, "pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/wasm.unknown.pagefind"]
    .map((p) => new URL(p, root).pathname);
  button.disabled = true;
  say("保存しています…");
  try {
    const reg = await navigator.serviceWorker.ready;
    const worker = reg.active;
    if (!worker) throw new Error("no active service worker");
    const channel = new MessageChannel();
    /** @type {SaveReport} */
    const result = await new Promise((resolve) => {
      channel.port1.onmessage = (/** @type {MessageEvent<SaveReport>} */ m) => {
        if (m.data.finished || m.data.failed) resolve(m.data);
        else say(`保存しています… ${m.data.done} / ${m.data.total}`);
      };
      worker.postMessage({ type: "save-all", urls: runtime }, [channel.port2]);
    });
    // The footer's line first, so that it is there when the page says the copy is saved.
    if (!result.failed) await markSaved(Number(document.body.dataset.records) || 0);
    say(result.failed ? SAVE_FAILED[result.failed] || SAVE_FAILED.network
      : `この端末に保存しました（${((result.bytes || 0) / 1e6).toFixed(1)} MB を追加）。ネットワークがなくても閲覧・検索できます。`);
  } catch (err) {
    say(SAVE_FAILED.network);
  } finally {
    button.disabled = false;
  }
});

/* Offline: say so, with the date of the build being shown. */
function showOffline() {
  const banner = document.querySelector("[data-offline]");
  if (banner instanceof HTMLElement) banner.hidden = navigator.onLine;
}
window.addEventListener("online", showOffline);
window.addEventListener("offline", showOffline);
showOffline();

/* The morning sheet: show (and print) one area at a time. */
document.addEventListener("change", (event) => {
  const select = hit(event, "[data-sheet-area]");
  if (!(select instanceof HTMLSelectElement)) return;
  for (const section of document.querySelectorAll("[data-area-number]")) {
    if (section instanceof HTMLElement) section.hidden = select.value !== "" && section.dataset.areaNumber !== select.value;
  }
});

/* Records linked on screen: the service worker fetches their packs' directories ahead (2–40 kB each, more in a
   larger region; at most a screenful at a time), so opening one costs one round trip instead of two. Not for
   links inside [data-no-ahead] (search results: a page of 20 would fetch up to 20 directories for the one
   record a reader opens, which the locator fetches with its directory in one round trip anyway). */
(() => {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!worker || !("IntersectionObserver" in window)) return;
  const records = new URL(RECORD_DIR, root).pathname;
  const asked = new Set();
  /** @type {string[]} */
  let batch = [];
  let timer = 0;
  const send = () => { timer = 0; worker.postMessage({ type: "warm", paths: batch.splice(0) }); };
  const seen = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting || !(entry.target instanceof HTMLAnchorElement)) continue;
      seen.unobserve(entry.target);
      const path = decodeURIComponent(new URL(entry.target.href).pathname);
      if (asked.size < 400 && !asked.has(path)) { asked.add(path); batch.push(path.slice(records.length - RECORD_DIR.length)); }
    }
    if (batch.length && !timer) timer = window.setTimeout(send, 200);   // once scrolling pauses
  });
  /** @param {Node} node */
  const watch = (node) => {
    if (!(node instanceof Element || node instanceof Document)) return;
    for (const a of node.querySelectorAll("a[href]")) {
      if (a instanceof HTMLAnchorElement && new URL(a.href).pathname.startsWith(records) && !a.closest("[data-no-ahead]")) seen.observe(a);
    }
  };
  watch(document);
  new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach(watch)))
    .observe(document.body, { childList: true, subtree: true });   // search results appear later
})();
