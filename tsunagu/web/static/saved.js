// @ts-check
/* 「保存済み 12/6 08:30（全 1,234 件）」 in every page's footer while this device holds the saved copy, and offline,
   on a page that was not saved, how to save next time. Only the time and the count are stored here. */

const KEY = "tsunagu-saved";
const clock = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo", month: "numeric", day: "numeric",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** @typedef {{ at: number, records: number }} Saved */

/** The footer's words for a saved copy (the time in Japan). @param {Saved} saved */
export function savedText(saved) {
  const p = Object.fromEntries(clock.formatToParts(new Date(saved.at)).map((x) => [x.type, x.value]));
  return `保存済み ${Number(p.month)}/${Number(p.day)} ${p.hour}:${p.minute}（全 ${saved.records.toLocaleString("ja-JP")} 件）`;
}

/** What this device saved, if anything. @returns {Saved | null} */
export function readSaved() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || "null");
    return saved && typeof saved.at === "number" && typeof saved.records === "number" ? saved : null;
  } catch { return null; }
}

/** Remember a finished save (app.js); resolves once the footer says so. @param {number} records @param {number} [at] */
export async function markSaved(records, at = Date.now()) {
  try { localStorage.setItem(KEY, JSON.stringify({ at, records })); } catch { /* storage disabled: no footer line */ }
  await showSaved();
}

/** Forget it (logout deletes the copy). */
export function forgetSaved() {
  try { localStorage.removeItem(KEY); } catch { /* nothing stored */ }
}

/** Whether the browser still holds the service worker's copy (it may have been cleared behind our back). */
async function copyExists() {
  if (!window.caches) return false;
  try { return (await caches.keys()).some((name) => name.startsWith("tsunagu-")); } catch { return false; }
}

/** The footer line, and offline the banner's advice for a device without a saved copy. */
export async function showSaved(doc = document) {
  let saved = readSaved();
  if (saved && !(await copyExists())) { forgetSaved(); saved = null; }
  const line = doc.querySelector("[data-saved]");
  if (line instanceof HTMLElement) {
    line.hidden = !saved;
    line.textContent = saved ? savedText(saved) : "";
  }
  const hint = doc.querySelector("[data-offline-hint]");
  if (hint instanceof HTMLElement) hint.hidden = Boolean(saved) || navigator.onLine;
}

showSaved();
window.addEventListener("online", () => showSaved());
window.addEventListener("offline", () => showSaved());
