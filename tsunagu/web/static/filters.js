// @ts-check
/* Search on a phone: the filters fold behind one 「絞り込み（2）」 button (the number: filters in use), so the
   first results are on the first screen; on a wide screen they stay open (style.css). */

/** How many filters are in use: a chosen value or a ticked box (the sort order is not a filter). @param {HTMLFormElement} form */
export function activeFilters(form) {
  let count = 0;
  for (const el of form.elements) {
    if (!(el instanceof HTMLSelectElement || el instanceof HTMLInputElement) || !el.name) continue;
    if (el.name === "q" || el.name === "sort") continue;
    if (el instanceof HTMLInputElement && el.type === "checkbox" ? el.checked : el.value !== "") count++;
  }
  return count;
}

/** Wire the button of a search form. @param {Document} doc */
export function foldFilters(doc = document) {
  const form = doc.getElementById("search-form");
  const button = doc.querySelector("[data-filter-toggle]");
  const box = doc.getElementById("search-filters");
  const label = doc.querySelector("[data-active-filters]");
  if (!(form instanceof HTMLFormElement) || !(button instanceof HTMLElement) || !box || !label) return;
  const show = () => { const n = activeFilters(form); label.textContent = n ? `（${n}）` : ""; };
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    box.classList.toggle("open", open);
  });
  form.addEventListener("change", show);
  show();   // modules run in document order: search.js has already filled the form from the address
}

foldFilters();
