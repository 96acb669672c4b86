/* The update page: the holder of a link answers the questionnaire (providers) or their contact wishes
   (physicians), sees what will change, sends it sealed, and follows the receipt. Prefilled only where
   this device holds the site key (the service worker answers data/records.json); blank otherwise. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const LABELS = JSON.parse(document.body.dataset.labels);
  const SEAL_KEY = document.querySelector('meta[name="tsunagu-seal-key"]').content;
  const RELAY = new URL(document.querySelector('meta[name="tsunagu-relay"]').content, location.href).href;
  const PENDING = "tsunagu-update-pending", TOKEN = "tsunagu-update-token";
  const STATUS_KEYS = ["new_clients", "alternative_support", "post_infection"];
  const DEFAULTS = { operation: "open", new_clients: "unknown", alternative_support: "unknown", post_infection: "unknown" };
  let token = null, info = null, target = null, current = null, records = null, pending = null;
  let inflight = null;     // { body, receipt } once sealed: every retry sends exactly this

  const show = (id, on = true) => { $(id).hidden = !on; };
  const text = (el, s) => { el.textContent = s; return el; };
  const fail = (msg) => { text($("link-error"), msg); show("link-error"); };
  const formMessage = (msg) => text($("form-message"), msg || "");

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

  function findRecord(kind, id) {
    const r = records && records.find((x) => x.kind === kind && x.id === id);
    return r ? (kind === "provider" ? r.status : r.contact) || {} : null;
  }
  const recordTitle = (kind, id) => {
    const r = records && records.find((x) => x.kind === kind && x.id === id);
    return r ? (kind === "provider" ? r.name : `${r.clinic} ${r.name}`) : `${LABELS.kind[kind]}（${id}）`;
  };

  function setRadio(name, value) {
    document.querySelectorAll(`input[name="${name}"]`).forEach((el) => { el.checked = value !== undefined && el.value === String(value); });
  }
  const radio = (name) => { const el = document.querySelector(`input[name="${name}"]:checked`); return el ? el.value : undefined; };

  function addWindow(w) {
    const node = $("window-template").content.firstElementChild.cloneNode(true);
    const n = $("windows").children.length + 1;
    text(node.querySelector("legend"), `時間帯 ${n}`);
    if (w) {
      node.querySelectorAll(".days input:not(.method)").forEach((el) => { el.checked = w.days.includes(el.value); });
      node.querySelectorAll("input.method").forEach((el) => { el.checked = (w.methods || []).includes(el.value); });
      [node.querySelector(".start").value, node.querySelector(".end").value] = w.time.split("-");
    }
    node.querySelector(".remove-window").addEventListener("click", () => node.remove());
    $("windows").append(node);
  }

  function fill() {
    const p = target.kind === "provider";
    show("provider-form", p); show("physician-form", !p); show("actions");
    show(p ? "provider-prefill" : "physician-prefill", !!current); show("provider-blank", p && !current);
    $("windows").replaceChildren();
    if (!current) return;
    if (p) {
      for (const k of [...STATUS_KEYS, "operation"]) setRadio(k, current[k] || DEFAULTS[k]);
      $("vacancies").value = current.vacancies ?? "";
      $("conditions").value = current.conditions || "";
    } else {
      (current.windows || []).forEach(addWindow);
      document.querySelectorAll('input[name="methods"]').forEach((el) => { el.checked = (current.methods || []).includes(el.value); });
      $("via").value = current.via || "";
      setRadio("appointment_required", current.appointment_required ?? false);
      $("notes").value = current.notes || "";
    }
  }

  function choose(kind, id) {
    target = { kind, id };
    current = findRecord(kind, id);
    text($("link-target"), `対象: ${recordTitle(kind, id)}`);
    fill();
  }

  function windowsAnswer(problems) {
    const out = [];
    [...$("windows").children].forEach((node, i) => {
      const days = [...node.querySelectorAll(".days input:not(.method):checked")].map((el) => el.value);
      const start = node.querySelector(".start").value, end = node.querySelector(".end").value;
      if (!days.length && !start && !end) return;
      if (!days.length || !start || !end || end <= start) { problems.push(`時間帯 ${i + 1}: 曜日と、開始・終了の時刻（終了は開始より後）を選んでください。`); return; }
      const w = { days, time: `${start}-${end}` };
      const methods = [...node.querySelectorAll("input.method:checked")].map((el) => el.value);
      if (methods.length) w.methods = methods;
      out.push(w);
    });
    return out;
  }

  /** The answers that differ from what the record says now (prefilled) or every answer given (blank). */
  function answers(problems) {
    const a = {};
    if (target.kind === "provider") {
      for (const k of [...STATUS_KEYS, "operation"]) if (radio(k) !== undefined) a[k] = radio(k);
      const v = $("vacancies").value.trim();
      if (v !== "") { if (/^\d{1,5}$/.test(v) && Number(v) <= 10000) a.vacancies = Number(v); else problems.push("空き: 0 以上の整数で入力してください。"); }
      else if (current && current.vacancies != null) a.vacancies = null;
      const c = $("conditions").value.trim();
      if (c) a.conditions = c; else if (current && current.conditions) a.conditions = null;
    } else {
      const w = windowsAnswer(problems);
      if (w.length || (current && (current.windows || []).length)) a.windows = w;
      const checked = [...document.querySelectorAll('input[name="methods"]:checked')].map((el) => el.value);
      const ranked = ((current && current.methods) || []).filter((m) => checked.includes(m));
      const methods = [...ranked, ...checked.filter((m) => !ranked.includes(m))];   // keeps the order of preference
      if (methods.length || (current && (current.methods || []).length)) a.methods = methods;
      for (const k of ["via", "notes"]) { const t = $(k).value.trim(); if (t) a[k] = t; else if (current && current[k]) a[k] = null; }
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
  const plainWindow = (w) => Object.assign({ days: w.days, time: w.time }, w.methods && w.methods.length ? { methods: w.methods } : {});

  function label(key, value) {
    if (value === null || value === undefined || value === "") return "（なし）";
    if (STATUS_KEYS.includes(key)) return value === "unknown" ? "未定" : LABELS.acceptance[value];
    if (key === "operation") return LABELS.operation[value];
    if (key === "methods") return value.map((m) => LABELS.method[m]).join("・") || "（なし）";
    if (key === "appointment_required") return value ? "要予約" : "予約不要";
    if (key === "vacancies") return `${value} 人`;
    if (key === "windows") return value.map((w) => `${w.days.map((d) => LABELS.weekday[d]).join("・")} ${w.time}`).join("、") || "（なし）";
    return String(value);
  }

  function review() {
    formMessage("");
    const problems = [], a = answers(problems);
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
    return { via: radio("proxy-via"), with: $("proxy-with").value.trim() };
  }

  async function submit(confirmOnly) {
    if ($("send").disabled) return;
    if (inflight) { $("send").disabled = $("confirm-only").disabled = true; return deliver(inflight.body, inflight.receipt); }
    if (!SEAL_KEY) return formMessage("このサイトは送信の設定がまだです（seal_key）。事務局にお知らせください。");
    const job = confirmOnly ? { answers: {}, confirm_only: true } : pending;
    $("send").disabled = $("confirm-only").disabled = true;
    show("actions", false); show("review", false); show("sending");
    const replay = UPDATE.newReplay(), receipt = await UPDATE.receiptOf(replay);
    const plaintext = JSON.stringify({ v: 1, type: "update", token, replay, receipt, record: target,
      confirm_only: job.confirm_only, answers: job.answers, proxy: proxyDetails(), note: null, sent_at: new Date().toISOString() });
    const body = { v: 1, type: "update", token, replay, sealed: await UPDATE.seal(plaintext, SEAL_KEY, receipt) };
    inflight = { body, receipt };
    try { localStorage.setItem(PENDING, JSON.stringify(inflight)); } catch (e) { /* kept in memory only */ }
    await deliver(body, receipt);
  }

  async function deliver(body, receipt) {
    show("sending");
    const sent = await UPDATE.send(RELAY, body, (n) => text($("sending-text"), `通信が不安定です。再送しています（${n} 回目）…`));
    show("sending", false);
    if (!sent.ok && sent.retry) {               // kept: the same body goes again, so it cannot arrive twice
      inflight = { body, receipt };
      if (!pending) $("review-list").replaceChildren(text(document.createElement("li"), "変更なし（確認のみ）"));
      text($("review-error"), sent.json.message); show("review");
      $("send").disabled = false;
      return;
    }
    inflight = null;
    try { localStorage.removeItem(PENDING); } catch (e) { /* nothing kept */ }
    if (!sent.ok) { fail(sent.json.message || "送信できませんでした。"); return; }
    showReceipt(sent.json.receipt || receipt);
  }

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
    if (info.expiry && info.expiry * 1000 <= Date.now()) { fail("このリンクは有効期限が切れています。新しいリンクを事務局にお問い合わせください。"); return; }
    show("link-info");
    if (info.expiry) text($("link-expiry"), `有効期限: ${new Date(info.expiry * 1000).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" })} まで`);
    records = await loadRecords();
    try {
      const saved = JSON.parse(localStorage.getItem(PENDING) || "null");
      if (saved && saved.body && saved.body.token === token) { show("link-info", false); inflight = saved; deliver(saved.body, saved.receipt); return; }
    } catch (e) { /* nothing pending */ }
    if (info.purpose === 1) {
      text($("link-target"), `事務局の代理入力用リンク（${info.login}）`);
      show("proxy");
      if (records) $("proxy-ids").replaceChildren(...records.map((r) => Object.assign(document.createElement("option"), { value: r.id, label: recordTitle(r.kind, r.id) })));
      $("proxy-open").addEventListener("click", () => {
        const id = $("proxy-id").value.trim(), d = proxyDetails();
        if (!/^[a-z0-9][a-z0-9-]{1,63}$/.test(id) || !d.via || !d.with) { formMessage("記録の ID・確認方法・確認した相手を入力してください。"); show("actions"); return; }
        choose($("proxy-kind").value, id);
      });
      return;
    }
    if (info.records.length > 1) {
      show("choose");
      $("choose-record").replaceChildren(...info.records.map((r, i) => Object.assign(document.createElement("option"), { value: i, textContent: recordTitle(r.kind, r.id) })));
      $("choose-record").addEventListener("change", () => { const r = info.records[$("choose-record").value]; choose(r.kind, r.id); });
    }
    choose(info.records[0].kind, info.records[0].id);
  }

  $("add-window").addEventListener("click", () => addWindow(null));
  $("to-review").addEventListener("click", review);
  $("back").addEventListener("click", () => { show("review", false); show("actions"); });
  $("send").addEventListener("click", () => submit(false));
  $("confirm-only").addEventListener("click", () => submit(true));
  start();
})();
