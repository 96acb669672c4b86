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
  if (result.state === "now") return `今連絡できます: ${result.window.methods.join("・") || "連絡可"}（${result.window.end}まで）`;
  if (result.state === "none") return "2週間以内に連絡できる時間帯はありません";
  const w = result.window;
  const when = result.offset === 0 ? "今日" : result.offset === 1 ? `明日 ${DAY_JA[result.day]}`
    : result.offset >= 7 ? `${shortDate(result.iso)} ${DAY_JA[result.day]}` : DAY_JA[result.day];
  const todayName = table[nowInJapan(now).date];
  const note = todayName ? `（今日は祝日: ${todayName}）` : "";
  return `次は ${when} ${w.start}-${w.end} ${w.methods.join("・")}`.trim() + note;
}

/** Contact-now of every physician in a part of the page. @param {Holidays} table @param {ParentNode} root */
function refreshContact(table, root = document) {
  for (const el of root.querySelectorAll("[data-contact-now][data-windows]")) {
    if (!(el instanceof HTMLElement)) continue;
    const result = contactNow(JSON.parse(el.dataset.windows || "[]"), table);
    el.dataset.contactNow = result.state === "now" ? "now" : "later";
    const text = el.querySelector(".cn-text");
    if (text) text.textContent = describeContact(result, table);
  }
}

/**
 * The one freshness truth: a confirmation's age in days today and whether it is stale (older than the limit).
 * Every age and 「更新が古い」 on every page (cards, lists, sheet, glance, record pages, search results) comes from here.
 * @param {string} confirmed ISO date @param {number} today a day number (Japan) @param {number} limit stale_after_days
 */
export function freshness(confirmed, today, limit) {
  const age = today - dayNumber(confirmed);
  return { age, stale: age > limit, label: age <= 0 ? "（今日）" : `（${age}日前）` };
}

/** Ages and stale marks of every confirmation date in a part of the page.
    @param {number} today @param {number} limit @param {ParentNode} root */
function refreshAges(today, limit, root = document) {
  for (const el of root.querySelectorAll("[data-confirmed]")) {
    if (!(el instanceof HTMLElement) || !el.dataset.confirmed) continue;
    const { stale, label } = freshness(el.dataset.confirmed, today, limit);
    const age = el.querySelector("[data-age]");
    if (age) age.textContent = label;
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
  const stale = byDate.filter(([d]) => freshness(d, today, limit).stale).reduce((s, [, c]) => s + c, 0);
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

/** The date of this device's last visit before this tab began (home sets it; other pages only read it). */
function lastVisit() {
  try {
    const since = sessionStorage.getItem(SINCE) || localStorage.getItem(LAST_VISIT);
    return since && /^\d{4}-\d{2}-\d{2}$/.test(since) ? since : null;
  } catch { return null; }
}

/** 最近の変更 (and the home page's part of it): days after the last visit marked 「前回の表示以降」; on the home
    page only the last 24 hours (today and yesterday in Japan). @param {number} today */
function refreshChanges(today) {
  const since = lastVisit();
  let marked = 0;
  for (const day of document.querySelectorAll("[data-change-date]")) {
    if (!(day instanceof HTMLElement)) continue;
    const isNew = Boolean(since) && (day.dataset.changeDate || "") > (since || "");
    day.classList.toggle("is-new", isNew);
    const mark = day.querySelector("[data-since-mark]");
    if (mark instanceof HTMLElement) mark.hidden = !isNew;
    if (isNew) marked++;
  }
  const note = document.querySelector("[data-since-note]");
  if (note instanceof HTMLElement) {
    note.hidden = !since;
    if (since) note.textContent = marked ? `前回の表示（${shortDate(since)}）以降の変更に「前回の表示以降」と印を付けています。`
      : `前回の表示（${shortDate(since)}）以降の変更はありません。`;
  }
  let recent = 0;
  for (const block of document.querySelectorAll("[data-recent-day]")) {
    if (!(block instanceof HTMLElement)) continue;
    block.hidden = today - dayNumber(block.dataset.recentDay || "1970-01-01") > 1;
    if (!block.hidden) recent++;
  }
  const none = document.querySelector("[data-recent-none]");
  if (none instanceof HTMLElement) none.hidden = recent > 0;
}

/** Home: the at-a-glance counts, optionally only answers confirmed within the stale limit.
    @param {number} today @param {number} limit */
function refreshGlance(today, limit) {
  const toggle = document.querySelector("[data-glance-fresh]");
  const table = document.querySelector("[data-glance]");
  if (!(toggle instanceof HTMLInputElement) || !table) return;
  const built = dayNumber(document.body.dataset.built || "1970-01-01");   // the ages are counted from the build day
  let older = 0;
  for (const cell of table.querySelectorAll("[data-ages]")) {
    if (!(cell instanceof HTMLElement)) continue;
    const ages = cell.dataset.ages ? cell.dataset.ages.split(" ").map(Number) : [];
    const old = ages.filter((a) => freshness(isoOf(built - a), today, limit).stale).length;
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

function refresh() {
  const table = holidays();
  const { date } = nowInJapan();
  const today = dayNumber(date);
  const limit = Number(document.body.dataset.staleAfter) || 14;
  refreshContact(table);
  refreshAges(today, limit);
  refreshGlance(today, limit);
  refreshChanges(today);
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
    // Cards added later (search results) get their ages and contact-now from the same function and clock.
    new MutationObserver((changes) => {
      const added = changes.flatMap((c) => [...c.addedNodes]).filter((n) => n instanceof Element);
      if (!added.length) return;
      const table = holidays(), today = dayNumber(nowInJapan().date);
      const limit = Number(document.body.dataset.staleAfter) || 14;
      for (const node of added) { refreshContact(table, node); refreshAges(today, limit, node); }
    }).observe(document.body, { childList: true, subtree: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
}
