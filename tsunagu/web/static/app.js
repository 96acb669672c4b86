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
/* The morning sheet: show (and print) one area at a time. */
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-sheet-area]");
  if (!select) return;
  for (const section of document.querySelectorAll("[data-area-number]")) {
    section.hidden = select.value !== "" && section.dataset.areaNumber !== select.value;
  }
});
