// @ts-check
/* Time in the browser: ages, staleness, "contact now" and "since my last visit", from the current
   time in Japan (Asia/Tokyo whatever the device's zone), so pages stay right between builds.
   The functions above startClock() are pure (tests/js/time.test.mjs); startClock() keeps the page current. */

/**
 * A physician's contact window (render/timedata.py): days, start and end "HH:MM", methods, whether it holds on holidays.
 * @typedef {{ days: string[], start: string, end: string, methods: string[], holidays?: boolean }} ContactWindow
 * @typedef {{ state: "now", window: ContactWindow }
 *   | { state: "later", window: ContactWindow, offset: number, iso: string, day: string }
 *   | { state: "none" }} Contact
 * @typedef {Record<string, string>} Holidays ISO date -> holiday name
 */

const ZONE = "Asia/Tokyo";
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/** @type {Record<string, string>} */
const DAY_JA = { sun: "日曜", mon: "月曜", tue: "火曜", wed: "水曜", thu: "木曜", fri: "金曜", sat: "土曜" };
const LAST_VISIT = "tsunagu-last-visit";   // the only thing stored: the date of this device's last visit
const SINCE = "tsunagu-since";             // this tab's baseline, so a reload keeps what was new
const DAY_MS = 86400000;
const clock = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** Today's date (YYYY-MM-DD) and the minutes since midnight, in Japan. */
export function nowInJapan(now = new Date()) {
  const p = Object.fromEntries(clock.formatToParts(now).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: (Number(p.hour) % 24) * 60 + Number(p.minute) };
}
/** Days since 1970-01-01 of an ISO date: calendar arithmetic without time zones. @param {string} iso */
export function dayNumber(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}
/** @param {number} n a day number */
const isoOf = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);
/** @param {number} n a day number */
const weekdayOf = (n) => DAYS[new Date(n * DAY_MS).getUTCDay()];
/** @param {string} hhmm */
const minutesOf = (hhmm) => { const [h, m] = hhmm.split(":").map(Number); return h * 60 + m; };
/** 「11月26日」 of an ISO date. @param {string} iso */
export const shortDate = (iso) => `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;
/** A short date that names its year when that is not this year in Japan (a list read in January).
    @param {string} iso @param {string} thisYear */
export const datedIn = (iso, thisYear) => (iso.slice(0, 4) === thisYear ? "" : `${Number(iso.slice(0, 4))}年`) + shortDate(iso);

/** Holidays shipped in the page (ISO date -> name); none when the page has no table. @returns {Holidays} */
export function holidays() {
  const block = document.getElementById("jp-holidays");
  try { return block ? JSON.parse(block.textContent || "") : {}; } catch { return {}; }
}

/**
 * Inside a window now, or the next window within two weeks; holidays count only where a window says so.
 * @param {ContactWindow[]} windows
 * @param {Holidays} table
 * @returns {Contact}
 */
export function contactNow(windows, table, now = new Date()) {
  const { date, minutes } = nowInJapan(now);
  const today = dayNumber(date);
  for (let k = 0; k <= 14; k++) {
    const n = today + k, iso = isoOf(n), day = weekdayOf(n);
    const open = windows.filter((w) => w.days.includes(day) && (!table[iso] || w.holidays))
      .sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    for (const w of open) {
      if (k === 0 && minutes >= minutesOf(w.start) && minutes < minutesOf(w.end)) return { state: "now", window: w };
      if (k > 0 || minutes < minutesOf(w.start)) return { state: "later", window: w, offset: k, iso, day };
    }
  }
  return { state: "none" };
}

/** The Japanese sentence for a contactNow result. @param {Contact} result @param {Holidays} table */
export function describeContact(result, table, now = new Date()) {
  if (result.state === "now") return `いま連絡できます: ${result.window.methods.join("・") || "連絡可"}（${result.window.end}まで）`;
  if (result.state === "none") return "2週間以内に連絡できる時間帯はありません";
  const w = result.window;
  const when = result.offset === 0 ? "今日" : result.offset === 1 ? `明日 ${DAY_JA[result.day]}`
    : result.offset >= 7 ? `${shortDate(result.iso)} ${DAY_JA[result.day]}` : DAY_JA[result.day];
  const todayName = table[nowInJapan(now).date];
  const note = todayName ? `（今日は祝日: ${todayName}）` : "";
  return `次は ${when} ${w.start}-${w.end} ${w.methods.join("・")}`.trim() + note;
}

/** @param {Holidays} table */
function refreshContact(table) {
  for (const el of document.querySelectorAll("[data-contact-now][data-windows]")) {
    if (!(el instanceof HTMLElement)) continue;
    const result = contactNow(JSON.parse(el.dataset.windows || "[]"), table);
    el.dataset.contactNow = result.state === "now" ? "now" : "later";
    const text = el.querySelector(".cn-text");
    if (text) text.textContent = describeContact(result, table);
  }
}

/** Ages and stale marks of every confirmation date on the page. @param {number} today @param {number} limit */
function refreshAges(today, limit) {
  for (const el of document.querySelectorAll("[data-confirmed]")) {
    if (!(el instanceof HTMLElement) || !el.dataset.confirmed) continue;
    const age = today - dayNumber(el.dataset.confirmed);
    const stale = age > limit;
    const label = el.querySelector("[data-age]");
    if (label) label.textContent = age <= 0 ? "（今日）" : `（${age}日前）`;
    const short = el.querySelector("time[data-short]");
    if (short) short.textContent = datedIn(el.dataset.confirmed, isoOf(today).slice(0, 4));
    const scope = el.closest("[data-stale-scope]") || el;
    scope.classList.toggle("is-stale", stale);
    for (const mark of scope.querySelectorAll("[data-stale-mark]")) if (mark instanceof HTMLElement) mark.hidden = !stale;
  }
}

/** Home: how many entries are stale today, and how many were confirmed since this device's last visit.
    @param {string} todayIso @param {number} today @param {number} limit */
function refreshHome(todayIso, today, limit) {
  const block = document.getElementById("updates-by-date");
  if (!block) return;
  /** @type {[string, number][]} */
  const byDate = Object.entries(JSON.parse(block.textContent || "{}"));
  const stale = byDate.filter(([d]) => today - dayNumber(d) > limit).reduce((s, [, c]) => s + c, 0);
  const summary = document.querySelector("[data-stale-summary]");
  const count = summary && summary.querySelector("[data-stale-count]");
  if (summary instanceof HTMLElement && count) { summary.hidden = stale === 0; count.textContent = String(stale); }
  let since = null;
  try {
    since = sessionStorage.getItem(SINCE) || localStorage.getItem(LAST_VISIT);
    if (since) sessionStorage.setItem(SINCE, since);
    localStorage.setItem(LAST_VISIT, todayIso);
  } catch { /* storage disabled: no "since last visit" */ }
  const line = document.querySelector("[data-since-visit]");
  if (!(line instanceof HTMLElement) || !since || !/^\d{4}-\d{2}-\d{2}$/.test(since)) return;
  const after = since;
  const newer = byDate.filter(([d]) => d > after).reduce((s, [, c]) => s + c, 0);
  line.textContent = `前回の表示以降に更新（${shortDate(since)}より後に確認）: ${newer} 件`;
  line.hidden = false;
}

/** Home: the at-a-glance counts, optionally only answers confirmed within the stale limit.
    @param {number} today @param {number} limit */
function refreshGlance(today, limit) {
  const toggle = document.querySelector("[data-glance-fresh]");
  const table = document.querySelector("[data-glance]");
  if (!(toggle instanceof HTMLInputElement) || !table) return;
  const shift = today - dayNumber(document.body.dataset.built || "1970-01-01");
  let older = 0;
  for (const cell of table.querySelectorAll("[data-ages]")) {
    if (!(cell instanceof HTMLElement)) continue;
    const ages = cell.dataset.ages ? cell.dataset.ages.split(" ").map(Number) : [];
    const old = ages.filter((a) => a + shift > limit).length;
    older += old;
    const num = cell.querySelector(".num");
    if (num) num.textContent = String(toggle.checked ? ages.length - old : ages.length);
    const mark = cell.querySelector(".older");
    if (mark instanceof HTMLElement) {
      mark.hidden = !(toggle.checked && old);
      mark.textContent = old ? `（古い${old}）` : "";
    }
  }
  const note = document.querySelector("[data-glance-older]");
  if (note) note.textContent = toggle.checked ? `確認が${limit}日より前の回答 ${older} 件を数えていません。`
    : `うち確認が${limit}日より前の回答: ${older} 件`;
}

/** Physician list: only those who may be contacted now. */
function refreshFilter() {
  const toggle = document.querySelector("[data-filter-now]");
  if (!(toggle instanceof HTMLInputElement)) return;
  let shown = 0;
  for (const card of document.querySelectorAll("li[data-physician]")) {
    if (!(card instanceof HTMLElement)) continue;
    const now = card.querySelector('[data-contact-now="now"]') !== null;
    card.hidden = toggle.checked && !now;
    shown += now ? 1 : 0;
  }
  const count = document.querySelector("[data-filter-count]");
  if (count) count.textContent = toggle.checked ? `いま連絡できる医師: ${shown} 名` : "";
}

function refresh() {
  const table = holidays();
  const { date } = nowInJapan();
  const today = dayNumber(date);
  const limit = Number(document.body.dataset.staleAfter) || 14;
  refreshContact(table);
  refreshAges(today, limit);
  refreshGlance(today, limit);
  refreshFilter();
  return { date, today, limit };
}

/** Keep every clock-dependent part of the page current (on load, on the toggles, every minute). */
export function startClock() {
  const begin = () => {
    const { date, today, limit } = refresh();
    refreshHome(date, today, limit);
    document.addEventListener("change", (event) => {
      if (event.target instanceof Element && event.target.matches("[data-glance-fresh], [data-filter-now]")) refresh();
    });
    setInterval(refresh, 60 * 1000);   // a page left open moves into and out of windows by itself
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
}
