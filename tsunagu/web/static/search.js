// @ts-check
/* Search page: Pagefind over the encrypted index (the service worker decrypts its files). Queries become
   the same character n-gram tokens as the index (tokens.js, tsunagu/search/textsearch.py). */
import { resultCard } from "./cards.js";
import { contactNow as contactState, holidays } from "./time.js";
import { exactToken, normalize, queryTokens } from "./tokens.js";
import { EITHER, FILTERS, FLAGS, KIND_FILTER, KIND_NAMES } from "./wire.js";

/**
 * What Pagefind gives for one result, and the part of its API used here.
 * @typedef {{ url: string, content: string, meta: Record<string, string>, filters?: Record<string, string[]> }} Data
 * @typedef {{ id: string, data: () => Promise<Data> }} Result
 * @typedef {string | { any: string[] }} FilterValue
 * @typedef {{ search: (query: string | null, options: object) => Promise<{ results: Result[] }>,
 *             preload: (query: string, options: object) => Promise<void>,
 *             options: (o: object) => Promise<void>, init: () => Promise<void>,
 *             mergeIndex: (url: string, o: object) => Promise<void> }} Pagefind
 */

/** @template {HTMLElement} T @param {string} id @param {new () => T} type @returns {T} */
function byId(id, type) {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`#${id} is missing`);
  return found;
}
const root = new URL(document.body.dataset.root || "./", location.href);
const form = byId("search-form", HTMLFormElement);
const input = byId("search-q", HTMLInputElement);
const list = byId("search-results", HTMLOListElement);
const status = byId("search-status", HTMLElement);
const more = byId("search-more", HTMLButtonElement);
const all = byId("search-all", HTMLButtonElement);
let browseAll = new URLSearchParams(location.search).get("all") === "1";
const PAGE = 20, FIRST = 5;
list.dataset.noAhead = "";   // no pack directories fetched ahead for the results (app.js): tens of kB each

/** A named control of the form. @param {string} name */
const control = (name) => /** @type {HTMLInputElement | HTMLSelectElement | null} */ (form.elements.namedItem(name));
/** Whether a checkbox of the form is ticked. @param {string} name */
const ticked = (name) => { const c = control(name); return c instanceof HTMLInputElement && c.checked; };

// Place words of the region (tsunagu/search/places.py): those on nearly every address are no search words;
// the others are whole-word terms (京都 is not inside 東京都).
const PLACES = (form.dataset.places || "").split(" ").filter(Boolean);
const PLACE_WORDS = (form.dataset.placeWords || "").split(" ").filter(Boolean);

/** 「今連絡できる医師」: a physician inside one of the contact windows now (Japan time, holidays from the page).
    @param {Data} data */
function contactNow(data) {
  const windows = data.meta && data.meta.windows;
  return Boolean(windows) && contactState(JSON.parse(windows), holidays()).state === "now";
}

/** @type {Promise<Pagefind> | null} */
let pagefind = null;
// One promise for every caller: the page warms it up on load, and a query typed meanwhile waits for it.
/** @returns {Promise<Pagefind>} */
function engine() {
  if (!pagefind) {
    pagefind = (async () => {
      const pf = await import(new URL("pagefind/pagefind.js", root).href);
      await pf.options({ baseUrl: root.pathname });
      await pf.init();
      // A large region's index comes in shards (tsunagu/search/index.py): merge them all.
      const res = await fetch(new URL("pagefind/shards.json", root)).catch(() => null);
      /** @type {string[]} */
      const shards = res && res.ok ? await res.json() : [];
      await Promise.all(shards.map((dir) => pf.mergeIndex(new URL("pagefind/" + dir, root).pathname, { baseUrl: root.pathname })));
      return pf;
    })();
    pagefind.catch(() => { pagefind = null; });   // offline at first: tried again by the next query
  }
  return pagefind;
}

/** The named controls of the form. */
const controls = () => [...form.elements].filter(/** @returns {c is HTMLInputElement | HTMLSelectElement} */
  (c) => (c instanceof HTMLInputElement || c instanceof HTMLSelectElement) && Boolean(c.name));

function readParams() {
  const p = new URLSearchParams(location.search);
  for (const c of controls()) {
    if (c instanceof HTMLInputElement && c.type === "checkbox") c.checked = p.get(c.name) === "1";
    else if (p.has(c.name)) c.value = p.get(c.name) || "";
  }
}
function writeParams() {
  const p = new URLSearchParams();
  for (const c of controls()) {
    if (c instanceof HTMLInputElement && c.type === "checkbox") { if (c.checked) p.set(c.name, "1"); }
    else if (c.value) p.set(c.name, c.value);
  }
  const qs = p.toString();
  history.replaceState(null, "", qs ? "?" + qs : location.pathname);
}
/** Pagefind's filters for the form's choices. @returns {Record<string, FilterValue>} */
function filters() {
  /** @type {Record<string, FilterValue>} */
  const f = {};
  /** @type {Record<string, string[]>} */
  const either = EITHER;
  for (const [param, name] of Object.entries(FILTERS)) {
    const v = control(param)?.value;
    if (v) f[name] = either[v] ? { any: either[v] } : v;
  }
  for (const [param, [name, value]] of Object.entries(FLAGS)) if (ticked(param)) f[name] = value;
  if (isContactFilter()) f[KIND_FILTER] = KIND_NAMES.physician;  // only physicians have contact windows
  return f;
}

/** One result as an action card (cards.js). @param {Data} data */
const render = (data) => resultCard(data);

let run = 0, total = 0;
/** @type {Result[]} */
let pending = [];
/** @type {Promise<unknown>} */
let lane = Promise.resolve();
/** Whether a result's text holds every token. @param {Data} data @param {string[]} tokens */
const hasAll = (data, tokens) => {
  // Pagefind matches a query word as a prefix of indexed words ("ｋ…" unigram -> bigrams).
  const words = data.content.split(/[^0-9a-z]+/);  // Pagefind may end the text with "."
  return tokens.every((t) => words.some((w) => w.startsWith(t)));
};
const isContactFilter = () => ticked("contact_now");

// Records whose whole name, reading, phone, FAX or office number is the query (checked, since
// Pagefind ignores a word it has never seen instead of finding nothing): how many of the first cards it found,
// and those hits with their data once loaded (all at once: one round trip, not one per card).
/** @param {Pagefind} pf @param {string} q @param {Record<string, FilterValue>} f
    @returns {Promise<{ count: number, hits: Promise<[Result[], Data[]]> }>} */
async function exactHits(pf, q, f) {
  if (Array.from(normalize(q)).length < 2) return NO_HITS;  // one character is nobody's whole name
  const want = exactToken(q);
  const head = (await pf.search(want, { filters: f })).results.slice(0, FIRST);
  const hits = Promise.all(head.map((r) => r.data())).then((datas) => {
    const miss = datas.findIndex((d) => !hasAll(d, [want]));   // a miss is usually the first
    return /** @type {[Result[], Data[]]} */ ([head.slice(0, miss < 0 ? FIRST : miss), datas]);
  });
  return { count: head.length, hits };
}
const NO_HITS = { count: 0, hits: Promise.resolve(/** @type {[Result[], Data[]]} */ ([[], []])) };

// Every query word's tokens: Pagefind ANDs them but drops a token it has never seen, so the
// first result tells whether one was dropped (then nothing truly matches).
/** @param {Pagefind} pf @param {string[]} tokens @param {Record<string, FilterValue>} f @param {object | undefined} sort
    @returns {Promise<Result[]>} */
async function tokenHits(pf, tokens, f, sort) {
  const res = await pf.search(tokens.length ? tokens.join(" ") : null, { filters: f, sort });
  // The first cards load along with the check on the first one (Pagefind keeps each fragment it loaded).
  const head = res.results.slice(0, FIRST).map((r) => r.data());
  head.forEach((p) => p.catch(() => {}));
  if (tokens.length && head.length && !hasAll(await head[0], tokens)) return [];
  return res.results;
}

/** A note when the query is only the region's own place names. @param {string} q */
function placesOnly(q) {
  return q && !queryTokens(q, PLACES, PLACE_WORDS).length && normalize(q)
    ? `「${q}」はこの地域のほぼすべての住所に含まれる地名なので、検索の言葉になりません。事業所名・サービス・町名などを入力するか、地域で絞り込んでください。`
    : "";
}

async function search() {
  const mine = ++run;
  writeParams();
  const q = input.value.trim();
  const tokens = queryTokens(q, PLACES, PLACE_WORDS);
  const f = filters();
  const sort = control("sort")?.value ? { updated: "desc" } : undefined;
  const note = placesOnly(q);
  if (!tokens.length && !Object.keys(f).length) {
    // Nothing asked yet: listing every record would fetch all filter data, heavy on a phone.
    if (!browseAll || note) {
      list.replaceChildren(); pending = []; more.hidden = true; all.hidden = Boolean(note);
      status.textContent = note || "キーワードを入力するか、絞り込みを選んでください。";
      return;
    }
    f[KIND_FILTER] = { any: Object.values(KIND_NAMES) };
  }
  all.hidden = true;
  status.textContent = "検索しています…";
  const pf = await engine();
  // One Pagefind search at a time: a query overtaken while it waited is never run.
  /** @type {Promise<[Result[], Result[]] | null>} */
  const searched = lane.then(async () => {
    if (mine !== run) return null;
    if (tokens.length) pf.preload(tokens.join(" "), { filters: f }).catch(() => {});   // its chunks load meanwhile
    const exact = q && !sort ? await exactHits(pf, q, f) : NO_HITS;
    // The whole-word hits lead the list. When they fill the first cards (a vocabulary word, a common name), those
    // show before the n-gram search, which scans every shard: a second for a broad word at 40,000 records. Pagefind
    // searches in one worker, so the n-gram search starts once those cards are loaded, not beside them.
    if (exact.count === FIRST && !isContactFilter()) {
      const [first, datas] = await exact.hits;
      if (first.length === FIRST && mine === run) showFirst(mine, datas);
    }
    return Promise.all([exact.hits.then(([first]) => first), tokenHits(pf, tokens, f, sort)]);
  });
  lane = searched.catch(() => {});
  const found = await searched;
  if (!found || mine !== run) return;
  const [exact, hits] = found;
  const ids = new Set(exact.map((r) => r.id));
  // A whole number identifies its record: the others that merely contain its digits are noise.
  const numeric = /^[0-9]+$/.test(normalize(q));
  pending = numeric && exact.length ? exact : [...exact, ...hits.filter((r) => !ids.has(r.id))];
  total = pending.length;
  await showMore(mine, q, note, true);
}
let early = 0;   // the search whose first cards went on screen before its whole list was known
/** A search's first cards while the rest of its list is searched (they lead it). @param {number} mine @param {Data[]} datas */
function showFirst(mine, datas) {
  list.replaceChildren(...datas.map(render));
  early = mine;
}
/** The next page of results. @param {number} mine @param {string} q */
async function showMore(mine, q, note = "", fresh = false) {
  let shown = 0;
  const filtering = isContactFilter();
  if (fresh && early === mine) {   // the list's first cards are on screen already (showFirst)
    shown = list.children.length;
    pending.splice(0, shown);
    fresh = false;
  }
  while (pending.length && shown < PAGE) {
    // A new list's first cards (a phone's screen) first, not queued behind the rest of the page's fetches.
    const batch = pending.splice(0, fresh ? FIRST : PAGE - shown);
    const datas = await Promise.all(batch.map((r) => r.data()));
    if (mine !== run) return;
    if (fresh) { list.replaceChildren(); fresh = false; }
    for (const d of datas) {
      if (filtering && !contactNow(d)) continue;
      list.append(render(d)); shown++;
    }
  }
  if (fresh) list.replaceChildren();   // nothing found: the last query's cards go
  const count = list.children.length;
  more.hidden = !pending.length;
  const found = filtering ? `${count} 件${pending.length ? "以上" : ""}見つかりました` : `${total} 件見つかりました`;
  status.textContent = count ? found + (q && !note ? `（「${q}」）` : "") + (note ? " " + note : "")
                             : note || (q ? `「${q}」は` : "") + "見つかりませんでした。言葉を短くするか、絞り込みを外してください。";
}

// Every keystroke searches at once (no debounce): stale queries are skipped or their results dropped.
// While an input method is still composing, the text is not the query yet.
form.addEventListener("input", (e) => { if (!(e instanceof InputEvent && e.isComposing)) search(); });
form.addEventListener("compositionend", () => search());
form.addEventListener("submit", (e) => { e.preventDefault(); search(); });
more.addEventListener("click", () => showMore(run, input.value.trim()));
all.addEventListener("click", () => { browseAll = true; search(); });
readParams();
search();
engine().catch(() => {});   // Pagefind's runtime and index metadata load while the reader types
