// @ts-check
/* A search result as an action card, built like the lists' cards (templates/_macros.html): the three answers as
   ○△× badges, the first line of the conditions, the phone to tap and the FAX, contact-now for a physician, and
   the confirmation date whose age and 「更新が古い」 time.js computes, as on every other page. */
import { ACCEPTANCE, FILTERS, OPEN, OPERATION_FILTER, VACANCY_FILTER } from "./wire.js";

/** Search metadata of one result (templates/_search_data.html). @typedef {Record<string, string>} Meta */
/** Its filters (a provider's answers, 営業 and 空き are filters only: templates/_search_provider.html).
    @typedef {Record<string, string[]>} Filters */

const STATUS_KEYS = ["new_clients", "alternative_support", "post_infection"];
/** @type {Record<string, string>} the statuses' names (新規受入 …), as the search filters name them */
const LABELS = FILTERS;
/** @type {Record<string, [string, string]>} */
const BADGES = { accepting: ["○", "受入可"], conditional: ["△", "条件付きで可"], not_accepting: ["×", "受入不可"],
  unknown: ["−", "未回答"] };

/** An element with a class and text (text nodes only: record text is never parsed as HTML).
    @param {string} tag @param {string} [cls] @param {string} [text] */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

/** 「2026年11月16日」 of an ISO date. @param {string} iso */
export const longDate = (iso) => `${Number(iso.slice(0, 4))}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;

/** @type {Record<string, string>} a filter's value -> the answer's code */
const CODES = Object.fromEntries(Object.entries(ACCEPTANCE).map(([code, label]) => [label, code]));
/** The first value of a filter, or "". @param {Filters} f @param {string} name */
const first = (f, name) => (f[name] || [])[0] || "";

/** The three answers (and vacancies) as badges. @param {Filters} f */
function badges(f) {
  const ul = el("ul", "badges");
  const codes = STATUS_KEYS.map((key) => CODES[first(f, LABELS[key])] || "unknown");
  STATUS_KEYS.forEach((key, i) => {
    const [mark, word] = BADGES[codes[i]] || BADGES.unknown;
    const badge = el("span", `badge b-${codes[i] in BADGES ? codes[i] : "unknown"}`);
    const sign = el("span", "mark", mark);
    sign.setAttribute("aria-hidden", "true");
    badge.append(sign, word);
    const li = el("li");
    li.append(el("span", "b-label", LABELS[key]), " ", badge);
    ul.append(li);
  });
  const vacancies = first(f, VACANCY_FILTER);
  if (vacancies) ul.append(el("li", "vacancies", `空き ${vacancies}名`));
  return ul;
}

/** The phone as a tap target, and the FAX beside it. @param {Meta} m */
function call(m) {
  const p = el("p", "call-row");
  const a = /** @type {HTMLAnchorElement} */ (el("a", "tel call"));
  a.href = "tel:" + m.phone.replace(/[^0-9+]/g, "");
  const icon = el("span", "", "☎ ");
  icon.setAttribute("aria-hidden", "true");
  a.append(icon, `電話 ${m.phone}`);
  p.append(a);
  if (m.fax) p.append(" ", el("span", "fax", `FAX ${m.fax}`));
  return p;
}

/** The confirmation date, aged by time.js like every other page's. @param {string} iso */
function confirmed(iso) {
  const p = el("p", "small");
  if (!iso) { p.append(el("strong", "unanswered", "未回答")); return p; }
  const span = el("span", "updated");
  span.dataset.confirmed = iso;
  const time = el("time", "", longDate(iso));
  time.setAttribute("datetime", iso);
  const age = el("span", "age");
  age.dataset.age = "";
  const stale = el("strong", "stale", "更新が古い");
  stale.dataset.staleMark = "";
  stale.hidden = true;
  span.append(time, "確認", age, " ", stale);
  p.append(span);
  return p;
}

/** One result as a card. @param {{ url: string, meta: Meta, filters?: Filters }} data */
export function resultCard(data) {
  const m = data.meta || {}, f = data.filters || {};
  const operation = first(f, OPERATION_FILTER);
  const li = el("li", "card result");
  li.dataset.staleScope = "";
  const a = /** @type {HTMLAnchorElement} */ (el("a", "card-title", m.title || "(名称なし)"));
  a.href = data.url;
  li.append(a);
  if (m.clinic) li.append(" ", el("span", "clinic", m.clinic));
  const meta = el("p", "meta", [m.kind, m.area, m.services].filter(Boolean).join(" ／ "));
  if (operation && operation !== OPEN) meta.append(" ／ ", el("strong", "op", operation));
  li.append(meta);
  if (STATUS_KEYS.some((key) => first(f, LABELS[key]))) li.append(badges(f));
  if (m.conditions) {
    const p = el("p", "conditions");
    p.append(el("span", "b-label", "条件"), " ", m.conditions);
    li.append(p);
  }
  if (m.windows) {
    const p = el("p", "contact-now");
    p.dataset.contactNow = "later";
    p.dataset.windows = m.windows;
    p.append(el("span", "cn-text", "連絡できる時間帯を確認しています…"));
    li.append(p);
  }
  if (m.phone) li.append(call(m));
  li.append(confirmed(m.updated || ""));
  return li;
}
