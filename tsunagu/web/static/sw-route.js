// @ts-check
/** Routing: which requests the service worker answers with decrypted files, and which pass through. */
import { FILE_DIR } from "./wire.js";

export const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
export const SCOPE = new URL(sw.registration.scope).pathname;          // "/" or "/repo/"
// Public files (the shell): never decrypted. FILE_DIR holds only sealed files, fetched by the worker itself.
const PUBLIC = ["unlock/", "update/", "api/", "assets/", "sw.js", "keys.json", FILE_DIR, "pagefind/pagefind.js",
  "pagefind/pagefind-worker.js", "pagefind/wasm.", "favicon.ico", "robots.txt"];
// Public runtime (scripts, styles, Pagefind's code): cached for offline use, from the network first.
const RUNTIME = ["assets/", "pagefind/pagefind", "pagefind/wasm."];

/** A protected file a request asks for: its logical path, and whether it is a page (HTML) or data.
    @typedef {{ page: boolean, path: string, rel: string }} Target */

/** Which protected file a request is for, or null for public and foreign requests. @param {URL} url @returns {Target | null} */
export function classify(url) {
  if (url.origin !== sw.location.origin || !url.pathname.startsWith(SCOPE)) return null;
  let rel;
  try { rel = decodeURIComponent(url.pathname.slice(SCOPE.length)); } catch (e) { return null; }
  if (rel.includes("..") || PUBLIC.some((p) => rel === p || rel.startsWith(p))) return null;
  if (rel === "" || rel.endsWith("/")) return { page: true, path: rel + "index.html", rel };
  if (rel.endsWith(".html")) return { page: true, path: rel, rel };
  if (rel.startsWith("pagefind/") || rel.startsWith("data/")) return { page: false, path: rel, rel };
  return null;
}

/** Whether a request is for the public runtime of this site. @param {URL} url */
export const isRuntime = (url) => url.origin === sw.location.origin && RUNTIME.some((p) => url.pathname.startsWith(SCOPE + p));

/** The URL of a file of the site. @param {string} rel */
export const siteUrl = (rel) => SCOPE + rel;
