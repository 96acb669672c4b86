// @ts-check
/* 「情報が違う」 on a record page: a short note, sealed to the site's public key, sent through the relay to the
   admins (an issue that applies nothing). The page's note-only link lets the relay accept it. */
import { newReplay, receiptOf, seal, send } from "./update-seal.js";

for (const form of document.querySelectorAll("form.report-form")) {
  if (!(form instanceof HTMLFormElement)) continue;
  /** @type {object | null} */
  let pending = null;     // the sealed body once made: a retry sends exactly it (no double note)
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = /** @type {HTMLElement} */ (form.querySelector(".report-status"));
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
    const note = /** @type {HTMLTextAreaElement} */ (form.querySelector("textarea")).value.trim();
    if (!note || button.disabled) return;
    button.disabled = true;
    status.textContent = "送信しています…";
    if (!pending) {
      const token = form.dataset.token, replay = newReplay(), receipt = await receiptOf(replay);
      const plaintext = JSON.stringify({ v: 1, type: "note", token, replay, receipt,
        record: { kind: form.dataset.kind, id: form.dataset.id }, confirm_only: false, answers: {}, proxy: null, note,
        sent_at: new Date().toISOString() });
      pending = { v: 1, type: "note", token, replay, sealed: await seal(plaintext, form.dataset.sealKey || "", receipt) };
    }
    const relay = new URL(form.dataset.relay || "", location.href).href;
    const sent = await send(relay, pending, (n) => { status.textContent = `通信が不安定です。再送しています（${n} 回目）…`; });
    if (sent.ok) {
      status.textContent = `事務局に送りました（受付番号 ${sent.json.receipt}）。ありがとうございました。`;
      return;
    }
    status.textContent = (sent.json && sent.json.message) || "送信できませんでした。";
    if (sent.retry) button.disabled = false;
  });
}
