// @ts-check
/* Unlock page: derive the password key, check it opens this build, store it, go on. */
import { Rollback, UnsafeKeys } from "./errors.js";
import { checkKeys, deriveKek, unwrapContentKey } from "./seal.js";
import { getSession, isRollback, noteEpoch, putSession } from "./session.js";

const root = new URL("../", import.meta.url);
const WORKDAY_MS = 12 * 3600 * 1000, REMEMBER_MS = 30 * 24 * 3600 * 1000;
const SW_WAIT_MS = 8000;   // a browser that blocks service workers may never get one ready: do not wait forever

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const form = /** @type {HTMLFormElement} */ ($("unlock-form"));
const msg = $("unlock-message"), busy = $("unlock-busy");
const password = /** @type {HTMLInputElement} */ ($("password"));
const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));

/** This browser cannot run the site (no service workers, IndexedDB or WebCrypto, or they are blocked). */
class Unsupported extends Error { name = "Unsupported"; }

/** Where to go after unlocking: only a path inside this site, never another origin. */
function nextUrl() {
  const raw = new URLSearchParams(location.search).get("next") || "";
  if (!/^[^\\:]*$/.test(raw) || raw.startsWith("/") || raw.startsWith("unlock/")) return root.href;
  const url = new URL(raw, root);
  return url.origin === root.origin && url.pathname.startsWith(root.pathname) ? url.href : root.href;
}
/** @param {string} text @param {string} [kind] */
function say(text, kind) { msg.textContent = text; msg.className = "message " + (kind || ""); }

/** The service worker (a module: sw.js imports assets/sw-*.js), registered and ready. */
async function worker() {
  if (!("serviceWorker" in navigator) || !window.indexedDB || !window.crypto || !crypto.subtle) {
    throw new Unsupported("no service worker, IndexedDB or WebCrypto");
  }
  // updateViaCache "none": a new build's modules are fetched past the HTTP cache, as sw.js itself is.
  const reg = await navigator.serviceWorker.register(new URL("sw.js", root),
    { scope: root.pathname, type: "module", updateViaCache: "none" });
  if (!reg) throw new Unsupported("service workers are blocked");
  /** @type {Promise<never>} */
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Unsupported("no service worker ready")), SW_WAIT_MS));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}
async function keysJson() {
  const res = await fetch(new URL("keys.json", root), { cache: "no-store" });
  if (!res.ok) throw new Error("keys.json " + res.status);
  const keys = checkKeys(await res.json());   // UnsafeKeys on a weaker KDF, cipher, version or iteration count
  if (await isRollback(keys)) throw new Rollback("an older build, or another of the same epoch, than one already seen");
  return keys;
}
/** An existing session that still opens the current build: no password needed. @param {import("./seal.js").Keys} keys */
async function resume(keys) {
  const s = await getSession();
  return s && (await unwrapContentKey(keys, s.kek)) ? s : null;
}
/** Every script of an origin can use what the browser stores for it: a site in a sub-folder of an
    origin, or anywhere on owner.github.io (the user site at its root shares the origin with every
    owner.github.io/<repo>/ project site) is not closed unless its admin accepted that. */
const SHARED_HOSTS = /\.(github|gitlab)\.io$/i;
function sharedOrigin() {
  const shared = root.pathname !== "/" || SHARED_HOSTS.test(location.hostname);
  return shared && !document.body.hasAttribute("data-allow-shared-origin");
}
/** @param {string} id */
function refuse(id) {
  $(id).hidden = false; form.hidden = true;
}
/** The refusal an error calls for, if it is one (true when shown). @param {unknown} err */
function refused(err) {
  if (err instanceof UnsafeKeys) refuse("unsafe-keys");
  else if (err instanceof Rollback) refuse("rollback");
  else return false;
  return true;
}

async function start() {
  if (sharedOrigin()) { refuse("shared-origin"); return; }
  let reg;
  try { reg = await worker(); } catch (e) {
    refuse("unsupported"); return;
  }
  if (new URLSearchParams(location.search).has("logout")) say("ログアウトしました。", "ok");
  try {
    const keys = await keysJson();
    if (await resume(keys)) { if (reg.active) reg.active.postMessage("unlocked"); location.replace(nextUrl()); return; }
  } catch (e) {
    if (refused(e)) return;   // otherwise (offline, say) the form is shown
  }
  form.hidden = false; password.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const typed = password.value;
  if (!typed) { say("パスワードを入力してください。", "error"); return; }
  button.disabled = true; busy.hidden = false; say("");
  try {
    const keys = await keysJson();
    // One derivation for every slot: all share the site's salt and iteration count.
    const kek = await deriveKek(typed, keys);
    if (await unwrapContentKey(keys, kek)) {
      const remember = /** @type {HTMLInputElement} */ ($("remember")).checked;
      await putSession({ kek, expires: Date.now() + (remember ? REMEMBER_MS : WORKDAY_MS) });
      await noteEpoch(keys.epoch, keys.root_sha256);
      const reg = await navigator.serviceWorker.ready;
      if (reg.active) reg.active.postMessage("unlocked");
      password.value = "";
      location.replace(nextUrl());
      return;
    }
    say("パスワードが違います。もう一度入力してください。", "error");
    password.select();
  } catch (e) {
    if (refused(e)) return;
    say("ロックを解除できませんでした（" + (e instanceof Error ? e.message : String(e)) + "）。通信環境を確認して、もう一度お試しください。", "error");
  } finally {
    button.disabled = false; busy.hidden = true;
  }
});
start();
