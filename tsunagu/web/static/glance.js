// @ts-check
/* The at-a-glance grid: each cell's colour and marks follow its counts, which the clock recounts (time.js leaves
   out answers older than the stale limit): ○ accepting, △ conditional, ×0 a provider there but none accepting. */

/** The state of one cell from its two counts. @param {number} ok @param {number} cond */
export function cellState(ok, cond) {
  return ok > 0 ? "ok" : cond > 0 ? "cond" : "no";
}

/** @param {Element} link */
function paint(link) {
  if (!(link instanceof HTMLElement)) return;
  /** @type {number[]} */
  const counts = [];
  for (const n of link.querySelectorAll(".n")) {
    if (!(n instanceof HTMLElement)) continue;
    const count = Number((n.querySelector(".num") || n).textContent) || 0;
    counts.push(count);
    n.toggleAttribute("data-zero", count === 0);
  }
  const state = cellState(counts[0] || 0, counts[1] || 0);
  if (link.dataset.state !== state) link.dataset.state = state;
}

/** Paint every cell now and whenever a count changes. @param {ParentNode} root */
export function watchGlance(root = document) {
  const table = root.querySelector("[data-glance]");
  if (!table) return;
  const all = () => table.querySelectorAll("a.k").forEach(paint);
  all();
  new MutationObserver(all).observe(table, { subtree: true, characterData: true, childList: true });
}

watchGlance();
