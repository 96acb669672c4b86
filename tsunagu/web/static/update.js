// @ts-check
/* The update page: the holder of a link answers the questionnaire (providers) or their contact wishes
   (physicians), sees what will change, sends it sealed, and follows the receipt. Prefilled only where
   this device holds the site key (the service worker answers data/records.json); blank otherwise. */
import { $, field, inputs, meta, show, text } from "./dom.js";
import * as UPDATE from "./update-seal.js";
import { addWindow, plainWindow, windowsAnswer } from "./update-windows.js";

/**
 * The record a link is for, the answers to send, and what is kept until the relay has them.
 * @typedef {{ kind: string, id: string }} Target
 * @typedef {{ answers: Record<string, any>, confirm_only: boolean }} Job
 * @typedef {{ body: { token: string } & Record<string, unknown>, receipt: string }} Inflight
 */

const LABELS = JSON.parse(document.body.dataset.labels || "{}");
const SEAL_KEY = meta("tsunagu-seal-key");
const RELAY = new URL(meta("tsunagu-relay"), location.href).href;
const PENDING = "tsunagu-update-pending", TOKEN = "tsunagu-update-token";
const STATUS_KEYS = ["new_clients", "alternative_support", "post_infection"];
/** @type {Record<string, string>} */
const DEFAULTS = { operation: "open", new_clients: "unknown", alternative_support: "unknown", post_infection: "unknown" };
/** @type {string | null} */
let token = null;
/** @type {import("./update-seal.js").TokenInfo | null} */
let info = null;
/** @type {Target} */
let target = { kind: "", id: "" };
/** @type {Record<string, any> | null} */
let current = null;     // the record's status (provider) or contact (physician), as data/records.json has it
/** @type {any[] | null} */
let records = null;
/** @type {Job | null} */
let pending = null;
/** @type {Inflight | null} */
let inflight = null;     // { body, receipt } once sealed: every retry sends exactly this

/** @param {string} msg */
const fail = (msg) => { text($("link-error"), msg); show("link-error"); };
/** @param {string} [msg] */
const formMessage = (msg) => { text($("form-message"), msg || ""); };

// The secret leaves the address bar (and history, screenshots of it, Referer) before anything else.
if (location.hash.length > 1) {
  try { sessionStorage.setItem(TOKEN, location.hash.slice(1)); } catch (e) { /* private mode */ }
  token = location.hash.slice(1);
  history.replaceState(null, "", location.pathname + location.search);
} else {
  try { token = sessionStorage.getItem(TOKEN); } catch (e) { token = null; }
}

// Another link opened in this tab changes only the fragment: start again with it.
window.addEventListener("hashchange", () => {
  if (location.hash.length <= 1) return;
  try { sessionStorage.setItem(TOKEN, location.hash.slice(1)); } catch (e) { location.reload(); return; }
  location.replace(location.pathname + location.search);
});

async function loadRecords() {
  // Only a device that holds the site key gets JSON here (the service worker decrypts it).
  if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return null;
  try {
    const res = await fetch("../data/records.json", { cache: "no-store" });
    if (!res.ok || !(res.headers.get("Content-Type") || "").includes("json")) return null;
    return (await res.json()).records || null;
  } catch (e) { return null; }
}

/** @param {string} kind @param {string} id @returns {Record<string, any> | null} */
function findRecord(kind, id) {
  const r = records && records.find((x) => x.kind === kind && x.id === id);
  return r ? (kind === "provider" ? r.status : r.contact) || {} : null;
}
/** @param {string} kind @param {string} id */
const recordTitle = (kind, id) => {
  const r = records && records.find((x) => x.kind === kind && x.id === id);
  return r ? (kind === "provider" ? r.name : `${r.clinic} ${r.name}`) : `${LABELS.kind[kind]}（${id}）`;
};

/** @param {string} name @param {unknown} value */
function setRadio(name, value) {
  inputs(document, `input[name="${name}"]`).forEach((el) => { el.checked = value !== undefined && el.value === String(value); });
}
/** @param {string} name */
const radio = (name) => { const el = inputs(document, `input[name="${name}"]:checked`)[0]; return el ? el.value : undefined; };

function fill() {
  const p = target.kind === "provider";
  show("provider-form", p); show("physician-form", !p); show("actions");
  show(p ? "provider-prefill" : "physician-prefill", !!current); show("provider-blank", p && !current);
  $("windows").replaceChildren();
  if (!current) return;
  if (p) {
    for (const k of [...STATUS_KEYS, "operation"]) setRadio(k, current[k] || DEFAULTS[k]);
    field("vacancies").value = current.vacancies ?? "";
    field("conditions").value = current.conditions || "";
  } else {
    (current.windows || []).forEach(addWindow);
    const methods = current.methods || [];
    inputs(document, 'input[name="methods"]').forEach((el) => { el.checked = methods.includes(el.value); });
    field("via").value = current.via || "";
    setRadio("appointment_required", current.appointment_required ?? false);
    field("notes").value = current.notes || "";
  }
}

/** @param {string} kind @param {string} id */
function choose(kind, id) {
  target = { kind, id };
  current = findRecord(kind, id);
  text($("link-target"), `対象: ${recordTitle(kind, id)}`);
  fill();
}

/** The answers that differ from what the record says now (prefilled) or every answer given (blank).
    @param {string[]} problems */
function answers(problems) {
  /** @type {Record<string, any>} */
  const a = {};
  if (target.kind === "provider") {
    for (const k of [...STATUS_KEYS, "operation"]) if (radio(k) !== undefined) a[k] = radio(k);
    const v = field("vacancies").value.trim();
    if (v !== "") { if (/^\d{1,5}$/.test(v) && Number(v) <= 10000) a.vacancies = Number(v); else problems.push("空き: 0 以上の整数で入力してください。"); }
    else if (current && current.vacancies != null) a.vacancies = null;
    const c = field("conditions").value.trim();
    if (c) a.conditions = c; else if (current && current.conditions) a.conditions = null;
  } else {
    const w = windowsAnswer(problems);
    if (w.length || (current && (current.windows || []).length)) a.windows = w;
    const checked = inputs(document, 'input[name="methods"]:checked').map((el) => el.value);
    /** @type {string[]} */
    const ranked = ((current && current.methods) || []).filter((/** @type {string} */ m) => checked.includes(m));
    const methods = [...ranked, ...checked.filter((m) => !ranked.includes(m))];   // keeps the order of preference
    if (methods.length || (current && (current.methods || []).length)) a.methods = methods;
    for (const k of ["via", "notes"]) { const t = field(k).value.trim(); if (t) a[k] = t; else if (current && current[k]) a[k] = null; }
    if (radio("appointment_required") !== undefined) a.appointment_required = radio("appointment_required") === "true";
  }
  if (current) {
    for (const k of Object.keys(a)) {
      let now = current[k] ?? DEFAULTS[k] ?? null;
      if (k === "windows") now = (now || []).map(plainWindow);
      if (typeof now === "string") now = now.trim() || null;          // a YAML block ends with a newline
      if (JSON.stringify(a[k]) === JSON.stringify(now)) delete a[k];
    }
  }
  return a;
}

/** How an answer reads in the review. @param {string} key @param {any} value @returns {string} */
function label(key, value) {
  if (value === null || value === undefined || value === "") return "（なし）";
  if (STATUS_KEYS.includes(key)) return value === "unknown" ? "未定" : LABELS.acceptance[value];
  if (key === "operation") return LABELS.operation[value];
  if (key === "methods") return value.map((/** @type {string} */ m) => LABELS.method[m]).join("・") || "（なし）";
  if (key === "appointment_required") return value ? "要予約" : "予約不要";
  if (key === "vacancies") return `${value} 人`;
  if (key === "windows") {
    return value.map((/** @type {import("./update-windows.js").Window} */ w) => `${w.days.map((d) => LABELS.weekday[d]).join("・")} ${w.time}`).join("、") || "（なし）";
  }
  return String(value);
}

function review() {
  formMessage("");
  /** @type {string[]} */
  const problems = [];
  const a = answers(problems);
  if (problems.length) return formMessage(problems.join(" "));
  if (!Object.keys(a).length) return formMessage("変更がありません。今の内容のままでよければ「変更なし（確認のみ）」を押してください。");
  const items = Object.entries(a).map(([k, v]) => {
    const name = LABELS.fields[k] || k;
    return current ? `${name}: ${label(k, current[k] ?? DEFAULTS[k])} → ${label(k, v)}` : `${name}: ${label(k, v)} にする`;
  });
  $("review-list").replaceChildren(...items.map((s) => text(document.createElement("li"), s)));
  pending = { answers: a, confirm_only: false };
  show("actions", false); show("review"); $("send").focus();
}

function proxyDetails() {
  if (!info || info.purpose !== 1) return null;
  return { via: radio("proxy-via"), with: field("proxy-with").value.trim() };
}

const sendButton = /** @type {HTMLButtonElement} */ ($("send")), confirmButton = /** @type {HTMLButtonElement} */ ($("confirm-only"));

/** @param {boolean} confirmOnly */
async function submit(confirmOnly) {
  if (sendButton.disabled) return;
  if (inflight) { sendButton.disabled = confirmButton.disabled = true; return deliver(inflight.body, inflight.receipt); }
  if (!SEAL_KEY) return formMessage("このサイトは送信の設定がまだです（seal_key）。事務局にお知らせください。");
  const job = confirmOnly || !pending ? { answers: {}, confirm_only: true } : pending;
  sendButton.disabled = confirmButton.disabled = true;
  show("actions", false); show("review", false); show("sending");
  const replay = UPDATE.newReplay(), receipt = await UPDATE.receiptOf(replay);
  const plaintext = JSON.stringify({ v: 1, type: "update", token, replay, receipt, record: target,
    confirm_only: job.confirm_only, answers: job.answers, proxy: proxyDetails(), note: null, sent_at: new Date().toISOString() });
  const body = { v: 1, type: "update", token: token || "", replay, sealed: await UPDATE.seal(plaintext, SEAL_KEY, receipt) };
  inflight = { body, receipt };
  try { localStorage.setItem(PENDING, JSON.stringify(inflight)); } catch (e) { /* kept in memory only */ }
  await deliver(body, receipt);
}

/** @param {Inflight["body"]} body @param {string} receipt */
async function deliver(body, receipt) {
  show("sending");
  const sent = await UPDATE.send(RELAY, body, (n) => text($("sending-text"), `通信が不安定です。再送しています（${n} 回目）…`));
  show("sending", false);
  if (!sent.ok && sent.retry) {               // kept: the same body goes again, so it cannot arrive twice
    inflight = { body, receipt };
    if (!pending) $("review-list").replaceChildren(text(document.createElement("li"), "変更なし（確認のみ）"));
    text($("review-error"), sent.json.message); show("review");
    sendButton.disabled = false;
    return;
  }
  inflight = null;
  try { localStorage.removeItem(PENDING); } catch (e) { /* nothing kept */ }
  if (!sent.ok) { fail(sent.json.message || "送信できませんでした。"); return; }
  showReceipt(sent.json.receipt || receipt);
}

/** @param {string} receipt */
async function showReceipt(receipt) {
  show("receipt"); text($("receipt-number"), receipt);
  for (let i = 0; i < 200; i++) {
    const o = await UPDATE.outcome(RELAY, receipt);
    if (o && o.outcome && o.outcome !== "pending") {
      text($("receipt-outcome"), o.label); text($("receipt-message"), o.message || "");
      return;
    }
    await new Promise((r) => setTimeout(r, i < 20 ? 3000 : 15000));
  }
}

async function start() {
  if (!token) { show("no-link"); return; }
  try { info = UPDATE.readToken(token); } catch (e) { fail("このリンクは正しくありません。届いた案内のリンクをもう一度開くか、事務局にお問い合わせください。"); return; }
  const link = info;
  if (link.expiry && link.expiry * 1000 <= Date.now()) { fail("このリンクは有効期限が切れています。新しいリンクを事務局にお問い合わせください。"); return; }
  show("link-info");
  if (link.expiry) text($("link-expiry"), `有効期限: ${new Date(link.expiry * 1000).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" })} まで`);
  records = await loadRecords();
  try {
    const saved = JSON.parse(localStorage.getItem(PENDING) || "null");
    if (saved && saved.body && saved.body.token === token) { show("link-info", false); inflight = saved; deliver(saved.body, saved.receipt); return; }
  } catch (e) { /* nothing pending */ }
  if (link.purpose === 1) {
    text($("link-target"), `事務局の代理入力用リンク（${link.login}）`);
    show("proxy");
    if (records) $("proxy-ids").replaceChildren(...records.map((/** @type {any} */ r) => Object.assign(document.createElement("option"), { value: r.id, label: recordTitle(r.kind, r.id) })));
    $("proxy-open").addEventListener("click", () => {
      const id = field("proxy-id").value.trim(), d = proxyDetails();
      if (!/^[a-z0-9][a-z0-9-]{1,63}$/.test(id) || !d || !d.via || !d.with) { formMessage("記録の ID・確認方法・確認した相手を入力してください。"); show("actions"); return; }
      choose(field("proxy-kind").value, id);
    });
    return;
  }
  if (link.records.length > 1) {
    show("choose");
    $("choose-record").replaceChildren(...link.records.map((r, i) => Object.assign(document.createElement("option"), { value: String(i), textContent: recordTitle(r.kind, r.id) })));
    $("choose-record").addEventListener("change", () => { const r = link.records[Number(field("choose-record").value)]; choose(r.kind, r.id); });
  }
  choose(link.records[0].kind, link.records[0].id);
}

$("add-window").addEventListener("click", () => addWindow(null));
$("to-review").addEventListener("click", review);
$("back").addEventListener("click", () => { show("review", false); show("actions"); });
$("send").addEventListener("click", () => submit(false));
$("confirm-only").addEventListener("click", () => submit(true));
start();
