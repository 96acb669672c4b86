// @ts-check
/** 「この端末に保存」: every sealed file of the current build, each checked whole before it is cached, and the page's
    own scripts and styles, so the whole directory opens and searches without a network. */
import { sha256hex } from "./bytes.js";
import { Refused, StorageFull, Tampered, Unavailable } from "./errors.js";
import { fileName } from "./packs.js";
import { directory, openBuild } from "./sw-build.js";
import { siteUrl, SCOPE } from "./sw-route.js";
import { cached, keep } from "./sw-store.js";
import { UNSAVED } from "./wire.js";

/** @typedef {import("./sw-build.js").Build} Build */

/** @param {Uint8Array<ArrayBuffer>} bytes @param {string} digest the whole SHA-256 or its first 128 bits */
const hashed = async (bytes, digest) => (await sha256hex(bytes)).startsWith(digest);

/** A pack checked whole: its directory and fragment list against the root manifest, and every entry against the
    directory, which together cover the pack exactly. @param {Build} b @param {number} number @param {Uint8Array<ArrayBuffer>} bytes */
async function checkPack(b, number, bytes) {
  const d = b.root.dirs[number], dir = await directory(b, number, bytes);
  if (!d || !dir || d.offset + d.length !== bytes.length || !(await hashed(bytes.subarray(d.offset), d.digest))) {
    throw new Tampered(`pack ${number}: directory`);
  }
  let end = 0;
  for (const e of [...dir.entries.values()].sort((x, y) => x.offset - y.offset)) {
    if (e.offset !== end || !(await hashed(bytes.subarray(e.offset, e.offset + e.length), e.sha256))) {
      throw new Tampered(`pack ${number}: entry ${e.path}`);
    }
    end = e.offset + e.length;
  }
  const f = b.root.frg[number];   // the pack's fragment list, between its entries and its directory
  if (f) {
    if (f.offset !== end || !(await hashed(bytes.subarray(f.offset, f.offset + f.length), f.digest))) {
      throw new Tampered(`pack ${number}: fragment list`);
    }
    end = f.offset + f.length;
  }
  if (end !== d.offset) throw new Tampered(`pack ${number}: bytes between entries`);
}

/** What to save: each sealed file with the check of its whole bytes. @param {Build} b
    @returns {[string, (bytes: Uint8Array<ArrayBuffer>) => Promise<void>][]} */
function sealedFiles(b) {
  /** @type {[string, (bytes: Uint8Array<ArrayBuffer>) => Promise<void>][]} */
  const out = [];
  b.root.dirs.forEach((d, number) => {
    if (d) out.push([fileName(d.digest), (bytes) => checkPack(b, number, bytes)]);
  });
  const solo = b.root.solo.filter((e) => !UNSAVED.includes(e.path));   // what a device can do without offline
  for (const e of [...solo, ...b.root.loc]) {
    out.push([fileName(e.digest), async (bytes) => {
      if (bytes.length !== e.length || !(await hashed(bytes, e.digest))) throw new Tampered(`${e.digest}: hash mismatch`);
    }]);
  }
  return out;
}

/** @param {unknown} err @returns {"storage-full" | "refused" | "network"} */
const failure = (err) => (err instanceof StorageFull ? "storage-full" : err instanceof Refused ? "refused" : "network");

/** Save the build and the runtime files, reporting progress on the port. @param {unknown[]} urls @param {MessagePort} port */
export async function saveAll(urls, port) {
  try {
    const b = await openBuild(false);
    const files = new Map(sealedFiles(b).map(([name, check]) => [siteUrl(name), check]));
    const runtime = urls.filter(/** @returns {u is string} */ (u) => typeof u === "string" && u.startsWith(SCOPE));
    const total = files.size + runtime.length;
    let bytes = 0, done = 0;
    for (const url of [...files.keys(), ...runtime]) {
      const check = files.get(url);
      if (!check || !(await cached(url))) {
        const res = await fetch(url, { credentials: "same-origin" });
        if (res.ok || check) {
          if (!res.ok) throw new Unavailable(`${url}: ${res.status}`);
          const body = new Uint8Array(await res.arrayBuffer());
          if (check) await check(body);   // only checked bytes are cached
          await keep(url, new Response(body, { headers: { "Content-Type": res.headers.get("Content-Type") || "" } }));
          bytes += body.length;
        }   // else a runtime file this site does not have
      }
      done += 1;
      if (done % 20 === 0) port.postMessage({ done, total });
    }
    port.postMessage({ finished: true, total, bytes });
  } catch (err) {
    port.postMessage({ failed: failure(err) });
  }
}
