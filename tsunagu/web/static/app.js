/* Every decrypted page: logout, print, and the sheet's one-area view. */
"use strict";
document.addEventListener("click", async (event) => {
  const root = new URL(document.body.dataset.root || "./", location.href);
  if (event.target.closest("[data-print]")) { window.print(); return; }
  if (!event.target.closest("[data-logout]")) return;
  try {
    await new Promise((resolve) => {
      const req = indexedDB.deleteDatabase("tsunagu");
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
    if (window.caches) for (const name of await caches.keys()) await caches.delete(name);
    const reg = await navigator.serviceWorker.ready;
    reg.active && reg.active.postMessage("logout");
  } finally {
    location.replace(new URL("unlock/?logout=1", root));
  }
});
/* 「この端末に保存」: the service worker caches the whole directory (ciphertext only) for use offline. */
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-save-offline]");
  if (!button) return;
  const status = document.querySelector("[data-save-status]");
  const say = (text) => { if (status) status.textContent = text; };
  const root = new URL(document.body.dataset.root || "./", location.href);
  const assets = (button.dataset.assets || "").split(" ").filter(Boolean).map((a) => "assets/" + a);
  const runtime = [...assets, "pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/wasm.unknown.pagefind"]
    .map((p) => new URL(p, root).pathname);
  button.disabled = true;
  say("保存しています…");
  try {
    const reg = await navigator.serviceWorker.ready;
    const channel = new MessageChannel();
    const result = await new Promise((resolve) => {
      channel.port1.onmessage = (m) => {
        if (m.data.finished || m.data.error) resolve(m.data);
        else say(`保存しています… ${m.data.done} / ${m.data.total}`);
      };
      reg.active.postMessage({ type: "save-all", urls: runtime }, [channel.port2]);
    });
    say(result.error ? `保存できませんでした（${result.error}）。通信できる場所でもう一度お試しください。`
      : `この端末に保存しました（${(result.bytes / 1e6).toFixed(1)} MB を追加）。ネットワークがなくても閲覧・検索できます。`);
  } catch (err) {
    say("保存できませんでした。通信できる場所でもう一度お試しください。");
  } finally {
    button.disabled = false;
  }
});
/* Offline: say so, with the date of the build being shown. */
function showOffline() {
  const banner = document.querySelector("[data-offline]");
  if (banner) banner.hidden = navigator.onLine;
}
window.addEventListener("online", showOffline);
window.addEventListener("offline", showOffline);
document.addEventListener("DOMContentLoaded", showOffline);
/* The morning sheet: show (and print) one area at a time. */
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-sheet-area]");
  if (!select) return;
  for (const section of document.querySelectorAll("[data-area-number]")) {
    section.hidden = select.value !== "" && section.dataset.areaNumber !== select.value;
  }
});
/* Records linked on screen: the service worker fetches their packs' directories ahead (about 2 kB each,
   at most a screenful at a time), so opening one costs one round trip instead of two. */
(() => {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!worker || !("IntersectionObserver" in window)) return;
  const records = new URL("r/", new URL(document.body.dataset.root || "./", location.href)).pathname;
  const asked = new Set();
  let batch = [], timer = 0;
  const send = () => { timer = 0; worker.postMessage({ type: "warm", paths: batch.splice(0) }); };
  const seen = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      seen.unobserve(entry.target);
      const path = decodeURIComponent(new URL(entry.target.href).pathname);
      if (asked.size < 400 && !asked.has(path)) { asked.add(path); batch.push(path.slice(records.length - 2)); }
    }
    if (batch.length && !timer) timer = setTimeout(send, 200);   // once scrolling pauses
  });
  const watch = (node) => {
    for (const a of node.querySelectorAll ? node.querySelectorAll("a[href]") : []) {
      if (new URL(a.href).pathname.startsWith(records)) seen.observe(a);
    }
  };
  watch(document);
  new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach(watch)))
    .observe(document.body, { childList: true, subtree: true });   // search results appear later
})();
