// Search page: Pagefind over the encrypted index (the service worker decrypts its files).
// Queries become the same character n-gram tokens as the index (see tsunagu/textsearch.py).
const root = new URL(document.body.dataset.root || "./", location.href);
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const list = document.getElementById("search-results");
const status = document.getElementById("search-status");
const more = document.getElementById("search-more");
const all = document.getElementById("search-all");
let browseAll = new URLSearchParams(location.search).get("all") === "1";
const PAGE = 20, FIRST = 5;

// URL parameter -> Pagefind filter name (values are the Japanese labels shown on the site).
const FILTERS = { kind: "種別", area: "地域", service: "サービス", new_clients: "新規受入",
  alternative_support: "代替支援", post_infection: "感染後受入" };
const FLAGS = { home_visits: ["訪問診療", "対応"], care_support_doctor: ["地域ケアサポート医", "はい"] };
// One choice for the two answers a care manager can work with (render.py ACCEPTING_OR_CONDITIONAL).
const EITHER = { "受入可または条件付き": ["受入可", "条件付きで可"] };

const DROP = /[\s\u3000!-/:-@[-`{-~、。・「」『』（）()【】［］〔〕〈〉《》”“’‘:;,.\-‐‑‒–—―−－〜~ー]+/gu;
export function normalize(text) {
  const t = text.normalize("NFKC").toLowerCase()
    .replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
  return t.replace(DROP, "");
}
const token = (gram) => "k" + Array.from(gram, (c) => c.codePointAt(0).toString(16).padStart(5, "0")).join("");
const PREFECTURE = /^\s*(北海道|東京都|京都府|大阪府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄)県)(?=\S)/u;  // as in textsearch.py
// The region's own municipality names, longest first (textsearch.common_places): not search words.
const PLACES = (form.dataset.places || "").split(/\s+/).filter(Boolean);
function stripPlaces(word, places) {
  const w = word.replace(PREFECTURE, "").trimStart();
  const p = places.find((name) => w.startsWith(name));
  return p ? w.slice(p.length) : w;
}
export function queryWords(text, places = PLACES) {
  return text.split(/\s+/).map((w) => normalize(stripPlaces(w, places))).filter(Boolean);
}
export function queryTokens(text, places = PLACES) {
  const out = [];
  for (const word of queryWords(text, places)) {
    const chars = Array.from(word);
    if (chars.length === 1) out.push(token(chars[0]));
    for (let i = 0; i + 1 < chars.length; i++) out.push(token(chars[i] + chars[i + 1]));
  }
  return [...new Set(out)];
}
// A whole name or number as one word: 'x' + 48 bits of FNV-1a-64 (textsearch.exact_token).
export function exactToken(text) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(normalize(text))) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return "x" + h.toString(16).padStart(16, "0").slice(0, 12);
}
// 「いま連絡できる医師」: a physician inside one of the contact windows now (time.js, Japan time,
// holidays from the page). The checkbox named contact_now keeps the results this test accepts.
let contactNow = (data) => {
  const time = window.tsunaguTime, windows = data.meta && data.meta.windows;
  return Boolean(time && windows) && time.contactNow(JSON.parse(windows), time.holidays()).state === "now";
};
export function setContactNow(test) { contactNow = test; }
window.tsunaguSearch = { normalize, queryTokens, queryWords, exactToken, setContactNow };

let pagefind = null;
// One promise for every caller: the page warms it up on load, and a query typed meanwhile waits for it.
function engine() {
  if (!pagefind) {
    pagefind = (async () => {
      const pf = await import(new URL("pagefind/pagefind.js", root).href);
      await pf.options({ baseUrl: root.pathname });
      await pf.init();
      // A large region's index comes in shards (tsunagu/search/index.py): merge them all.
      const res = await fetch(new URL("pagefind/shards.json", root)).catch(() => null);
      const shards = res && res.ok ? await res.json() : [];
      await Promise.all(shards.map((dir) => pf.mergeIndex(new URL("pagefind/" + dir, root).pathname, { baseUrl: root.pathname })));
      return pf;
    })();
    pagefind.catch(() => { pagefind = null; });   // offline at first: tried again by the next query
  }
  return pagefind;
}

function readParams() {
  const p = new URLSearchParams(location.search);
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") el.checked = p.get(el.name) === "1";
    else if (p.has(el.name)) el.value = p.get(el.name);
  }
}
function writeParams() {
  const p = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") { if (el.checked) p.set(el.name, "1"); }
    else if (el.value) p.set(el.name, el.value);
  }
  const qs = p.toString();
  history.replaceState(null, "", qs ? "?" + qs : location.pathname);
}
function filters() {
  const f = {};
  for (const [param, name] of Object.entries(FILTERS)) {
    const v = form.elements[param] && form.elements[param].value;
    if (v) f[name] = EITHER[v] ? { any: EITHER[v] } : v;
  }
  for (const [param, [name, value]] of Object.entries(FLAGS)) if (form.elements[param].checked) f[name] = value;
  if (isContactFilter()) f["種別"] = "医師";  // only physicians have contact windows
  return f;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;   // text nodes only: record text is never parsed as HTML
  return e;
}
function render(data) {
  const m = data.meta || {};
  const li = el("li", "card result");
  const a = el("a", "card-title", m.title || "(名称なし)");
  a.href = data.url;
  li.append(a);
  if (m.clinic) li.append(" ", el("span", "clinic", m.clinic));
  li.append(el("p", "meta", [m.kind, m.area, m.services].filter(Boolean).join(" ／ ")));
  if (m.status) li.append(el("p", "small status-line", m.status));
  if (m.updated) li.append(el("p", "small" + (m.updated.includes("古い") ? " stale" : ""), "確認日: " + m.updated));
  return li;
}

let run = 0, pending = [], total = 0, lane = Promise.resolve();
const hasAll = (data, tokens) => {
  // Pagefind matches a query word as a prefix of indexed words ("ｋ…" unigram -> bigrams).
  const words = data.content.split(/[^0-9a-z]+/);  // Pagefind may end the text with "."
  return tokens.every((t) => words.some((w) => w.startsWith(t)));
};
const isContactFilter = () => Boolean(contactNow && form.elements.contact_now && form.elements.contact_now.checked);

// Records whose whole name, reading, phone, FAX or office number is the query (checked, since
// Pagefind ignores a word it has never seen instead of finding nothing).
async function exactHits(pf, q, f) {
  if (Array.from(normalize(q)).length < 2) return [];  // one character is nobody's whole name
  const want = exactToken(q);
  const res = await pf.search(want, { filters: f });
  const hits = [];
  for (const r of res.results.slice(0, 5)) {  // one by one: a miss is usually the first
    if (!hasAll(await r.data(), [want])) break;
    hits.push(r);
  }
  return hits;
}

// Every query word's tokens: Pagefind ANDs them but drops a token it has never seen, so the
// first result tells whether one was dropped (then nothing truly matches).
async function tokenHits(pf, tokens, f, sort) {
  const res = await pf.search(tokens.length ? tokens.join(" ") : null, { filters: f, sort });
  // The first cards load along with the check on the first one (Pagefind keeps each fragment it loaded).
  const head = res.results.slice(0, FIRST).map((r) => r.data());
  head.forEach((p) => p.catch(() => {}));
  if (tokens.length && head.length && !hasAll(await head[0], tokens)) return [];
  return res.results;
}

function placesOnly(q) {
  return q && !queryWords(q).length && normalize(q)
    ? `「${q}」はこの地域のほぼすべての住所に含まれる地名なので、検索の言葉になりません。事業所名・サービス・町名などを入力するか、地域で絞り込んでください。`
    : "";
}

async function search() {
  const mine = ++run;
  writeParams();
  const q = input.value.trim();
  const tokens = queryTokens(q);
  const f = filters();
  const sort = form.elements.sort.value ? { updated: "desc" } : undefined;
  const note = placesOnly(q);
  if (!tokens.length && !Object.keys(f).length) {
    // Nothing asked yet: listing every record would fetch all filter data, heavy on a phone.
    if (!browseAll || note) {
      list.replaceChildren(); pending = []; more.hidden = true; all.hidden = Boolean(note);
      status.textContent = note || "キーワードを入力するか、絞り込みを選んでください。";
      return;
    }
    f["種別"] = { any: ["事業所", "医師"] };
  }
  all.hidden = true;
  status.textContent = "検索しています…";
  const pf = await engine();
  // One Pagefind search at a time: a query overtaken while it waited is never run.
  const searched = lane.then(() => mine !== run ? null
    : Promise.all([q && !sort ? exactHits(pf, q, f) : [], tokenHits(pf, tokens, f, sort)]));
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
async function showMore(mine, q, note = "", fresh = false) {
  let shown = 0;
  const filtering = isContactFilter();
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
form.addEventListener("input", (e) => { if (!e.isComposing) search(); });
form.addEventListener("compositionend", () => search());
form.addEventListener("submit", (e) => { e.preventDefault(); search(); });
more.addEventListener("click", () => showMore(run, input.value.trim()));
all.addEventListener("click", () => { browseAll = true; search(); });
readParams();
search();
engine().catch(() => {});   // Pagefind's runtime and index metadata load while the reader types
