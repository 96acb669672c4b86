/* Unlock page: derive the password key, check it opens this build, store it, go on. */
"use strict";
(() => {
  const root = new URL("../", document.currentScript.src);
  const $ = (id) => document.getElementById(id);
  const form = $("unlock-form"), msg = $("unlock-message"), busy = $("unlock-busy"), button = form.querySelector("button");
  const WORKDAY_MS = 12 * 3600 * 1000, REMEMBER_MS = 30 * 24 * 3600 * 1000;

  /** Where to go after unlocking: only a path inside this site, never another origin. */
  function nextUrl() {
    const raw = new URLSearchParams(location.search).get("next") || "";
    if (!/^[^\\:]*$/.test(raw) || raw.startsWith("/") || raw.startsWith("unlock/")) return root.href;
    const url = new URL(raw, root);
    return url.origin === root.origin && url.pathname.startsWith(root.pathname) ? url.href : root.href;
  }
  function say(text, kind) { msg.textContent = text; msg.className = "message " + (kind || ""); }

  async function worker() {
    if (!("serviceWorker" in navigator) || !window.indexedDB || !window.crypto || !crypto.subtle) {
      throw new Error("unsupported");
    }
    await navigator.serviceWorker.register(new URL("sw.js", root), { scope: root.pathname });
    // A browser that blocks service workers may never get ready: do not wait forever.
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 8000));
    return Promise.race([navigator.serviceWorker.ready, timeout]);
  }
  async function keysJson() {
    const res = await fetch(new URL("keys.json", root), { cache: "no-store" });
    if (!res.ok) throw new Error("keys.json " + res.status);
    return res.json();
  }
  /** An existing session that still opens the current build: no password needed. */
  async function resume(keys) {
    const s = await TSU.getSession();
    return s && (await TSU.unwrapContentKey(keys, s.kek, s.salt, s.iterations)) ? s : null;
  }

  async function start() {
    let reg;
    try { reg = await worker(); } catch (e) {
      $("unsupported").hidden = false; form.hidden = true; return;
    }
    if (new URLSearchParams(location.search).has("logout")) say("ログアウトしました。", "ok");
    try {
      const keys = await keysJson();
      if (await resume(keys)) { reg.active && reg.active.postMessage("unlocked"); location.replace(nextUrl()); return; }
    } catch (e) { /* show the form */ }
    form.hidden = false; $("password").focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = $("password").value;
    if (!password) { say("パスワードを入力してください。", "error"); return; }
    button.disabled = true; busy.hidden = false; say("");
    try {
      const keys = await keysJson();
      const groups = new Map(keys.slots.map((s) => [s.salt + "|" + s.iterations, s]));
      for (const slot of groups.values()) {
        const kek = await TSU.deriveKek(password, slot.salt, slot.iterations);
        if (await TSU.unwrapContentKey(keys, kek, slot.salt, slot.iterations)) {
          const remember = $("remember").checked;
          await TSU.putSession({ kek, salt: slot.salt, iterations: slot.iterations,
                                 expires: Date.now() + (remember ? REMEMBER_MS : WORKDAY_MS) });
          const reg = await navigator.serviceWorker.ready;
          reg.active && reg.active.postMessage("unlocked");
          $("password").value = "";
          location.replace(nextUrl());
          return;
        }
      }
      say("パスワードが違います。もう一度入力してください。", "error");
      $("password").select();
    } catch (e) {
      say("ロックを解除できませんでした（" + e.message + "）。通信環境を確認して、もう一度お試しください。", "error");
    } finally {
      button.disabled = false; busy.hidden = true;
    }
  });
  start();
})();
