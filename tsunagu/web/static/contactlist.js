// @ts-check
/* The physician list's 「今連絡できる医師だけ表示」: the same contact-now as every card (time.js, Japan time,
   holidays from the page); areas with nobody to call are hidden and the area links count only those shown; when
   nobody can be called now, 「次に連絡できる医師」 lists who can, soonest first. */
import { contactNow, holidays } from "./time.js";

/** @typedef {import("./time.js").ContactWindow} ContactWindow */
const NEXT_SHOWN = 5;

/** Minutes from now until a card's next window (0 inside one; Infinity: none in two weeks).
    @param {HTMLElement} card @param {import("./time.js").Holidays} table @param {Date} now */
export function minutesUntil(card, table, now) {
  const el = card.querySelector("[data-windows]");
  if (!(el instanceof HTMLElement)) return Infinity;
  /** @type {ContactWindow[]} */
  const windows = JSON.parse(el.dataset.windows || "[]");
  const result = contactNow(windows, table, now);
  if (result.state === "now") return 0;
  if (result.state === "none") return Infinity;
  const [h, m] = result.window.start.split(":").map(Number);
  return result.offset * 1440 + h * 60 + m;
}

/** Apply the filter to the page as it is now. @param {Document} doc */
export function filterPhysicians(doc = document, now = new Date()) {
  const toggle = doc.querySelector("[data-filter-now]");
  if (!(toggle instanceof HTMLInputElement)) return;
  const table = holidays();
  const only = toggle.checked;
  let callable = 0;
  /** @type {[number, HTMLElement][]} */
  const later = [];
  for (const section of doc.querySelectorAll("section[data-area-section]")) {
    if (!(section instanceof HTMLElement)) continue;
    let shown = 0, all = 0;
    for (const card of section.querySelectorAll("li[data-physician]")) {
      if (!(card instanceof HTMLElement)) continue;
      const wait = minutesUntil(card, table, now);
      all++;
      if (wait === 0) shown++;
      else if (wait !== Infinity) later.push([wait, card]);
      card.hidden = only && wait !== 0;
    }
    callable += shown;
    section.hidden = only && shown === 0;
    const jump = doc.querySelector(`[data-area-jump="${section.dataset.areaSection}"]`);
    if (jump instanceof HTMLElement) {
      jump.hidden = only && shown === 0;
      const count = jump.querySelector("[data-area-count]");
      if (count) count.textContent = String(only ? shown : all);
    }
  }
  const count = doc.querySelector("[data-filter-count]");
  if (count) count.textContent = only ? `今連絡できる医師: ${callable} 名` : "";
  const next = doc.querySelector("[data-next-up]");
  const list = doc.querySelector("[data-next-list]");
  if (!(next instanceof HTMLElement) || !list) return;
  next.hidden = !(only && callable === 0 && later.length > 0);
  list.replaceChildren(...(next.hidden ? [] : later.sort((a, b) => a[0] - b[0]).slice(0, NEXT_SHOWN)
    .map(([, card]) => { const copy = /** @type {HTMLElement} */ (card.cloneNode(true)); copy.hidden = false; return copy; })));
}

filterPhysicians();
document.addEventListener("change", (event) => {
  if (event.target instanceof Element && event.target.matches("[data-filter-now]")) filterPhysicians();
});
setInterval(() => filterPhysicians(), 60 * 1000);   // in step with time.js, which moves the cards' own sentences
