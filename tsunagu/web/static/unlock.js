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
    // (Tests shorten the wait with localStorage "tsunagu:sw-wait-ms"; it guards nothing.)
    const wait = Number(localStorage.getItem("tsunagu:sw-wait-ms")) || 8000;
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), wait));
    return Promise.race([navigator.serviceWorker.ready, timeout]);
  }
  async function keysJson() {
    const res = await fetch(new URL("keys.json", root), { cache: "no-store" });
    if (!res.ok) throw new Error("keys.json " + res.status);
    const keys = TSU.checkKeys(await res.json());   // throws on a weaker KDF, cipher, version or iteration count
    if (keys.epoch < await TSU.seenEpoch()) throw new Error("rollback");
    return keys;
  }
  /** An existing session that still opens the current build: no password needed. */
  async function resume(keys) {
    const s = await TSU.getSession();
    return s && (await TSU.unwrapContentKey(keys, s.kek)) ? s : null;
  }
  /** Every script of an origin can use what the browser stores for it: a site in a sub-folder of an
      origin, or anywhere on owner.github.io (the user site at its root shares the origin with every
      owner.github.io/<repo>/ project site) is not closed unless its admin accepted that. */
  const SHARED_HOSTS = /\.(github|gitlab)\.io$/i;
  function sharedOrigin() {
    const shared = root.pathname !== "/" || SHARED_HOSTS.test(location.hostname);
    return shared && !document.body.hasAttribute("data-allow-shared-origin");
  }
  function refuse(id) {
    $(id).hidden = false; form.hidden = true;
  }

  async function start() {
    if (sharedOrigin()) { refuse("shared-origin"); return; }
    let reg;
    try { reg = await worker(); } catch (e) {
      $("unsupported").hidden = false; form.hidden = true; return;
    }
    if (new URLSearchParams(location.search).has("logout")) say("ログアウトしました。", "ok");
    try {
      const keys = await keysJson();
      if (await resume(keys)) { reg.active && reg.active.postMessage("unlocked"); location.replace(nextUrl()); return; }
    } catch (e) {
      if (e.message === "unsupported keys.json") { refuse("unsafe-keys"); return; }
      if (e.message === "rollback") { refuse("rollback"); return; }
    }
    form.hidden = false; $("password").focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = $("password").value;
    if (!password) { say("パスワードを入力してください。", "error"); return; }
    button.disabled = true; busy.hidden = false; say("");
    try {
      const keys = await keysJson();
      // One derivation for every slot: all share the site's salt and iteration count.
      const kek = await TSU.deriveKek(password, keys);
      if (await TSU.unwrapContentKey(keys, kek)) {
        const remember = $("remember").checked;
        await TSU.putSession({ kek, expires: Date.now() + (remember ? REMEMBER_MS : WORKDAY_MS) });
        await TSU.noteEpoch(keys.epoch);
        const reg = await navigator.serviceWorker.ready;
        reg.active && reg.active.postMessage("unlocked");
        $("password").value = "";
        location.replace(nextUrl());
        return;
      }
      say("パスワードが違います。もう一度入力してください。", "error");
      $("password").select();
    } catch (e) {
      if (e.message === "unsupported keys.json") { refuse("unsafe-keys"); return; }
      if (e.message === "rollback") { refuse("rollback"); return; }
      say("ロックを解除できませんでした（" + e.message + "）。通信環境を確認して、もう一度お試しください。", "error");
    } finally {
      button.disabled = false; busy.hidden = true;
    }
  });
  start();
})();
