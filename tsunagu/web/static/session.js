// @ts-check
/** What a device stores: the password-derived key (non-extractable) with its expiry, and the highest epoch seen.
    The password never leaves the unlock page; the content key and the manifest stay in memory. */

const DB = "tsunagu", STORE = "session", ID = "current";
const EPOCH_DB = "tsunagu-epoch";   // survives logout: a device that saw a newer build refuses an older one

/** @typedef {{ kek: CryptoKey, expires: number }} Session */

/** @param {string} name @returns {Promise<IDBDatabase>} */
function open(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * One transaction on the store of a database; the result of the request fn makes.
 * @param {string} name
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest | undefined} fn
 * @returns {Promise<any>}
 */
async function tx(name, mode, fn) {
  const db = await open(name);
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req && req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally { db.close(); }
}

/** Forget the stored key. */
export const clearSession = () => tx(DB, "readwrite", (st) => st.delete(ID));

/** The stored session, or null; an expired one is deleted, not just ignored. @returns {Promise<Session | null>} */
export async function getSession() {
  const s = await tx(DB, "readonly", (st) => st.get(ID));
  if (s && s.expires > Date.now()) return s;
  if (s) await clearSession();
  return null;
}

/** @param {Session} s */
export const putSession = (s) => tx(DB, "readwrite", (st) => st.put(s, ID));

/**
 * The device's high-water mark: the highest epoch it has opened and the root hash of that build
 * (a mark stored by an earlier version as a bare epoch has no root yet).
 * @returns {Promise<{ epoch: number, root: string }>}
 */
export async function seenMark() {
  const v = await tx(EPOCH_DB, "readonly", (st) => st.get("max"));
  if (typeof v === "number") return { epoch: v, root: "" };
  return v && typeof v.epoch === "number" ? { epoch: v.epoch, root: String(v.root || "") } : { epoch: 0, root: "" };
}

/** The highest epoch this device has opened (0 if none). @returns {Promise<number>} */
export const seenEpoch = async () => (await seenMark()).epoch;

/**
 * Whether a build is a rollback: older than the mark, or of the mark's epoch with another root (the same
 * commit gives the same bytes on any day, and a deploy refuses an epoch that does not increase).
 * @param {{ epoch: number, root_sha256: string }} keys
 */
export async function isRollback(keys) {
  const mark = await seenMark();
  return keys.epoch < mark.epoch || (keys.epoch === mark.epoch && mark.root !== "" && keys.root_sha256 !== mark.root);
}

/** Remember a build if it is the newest yet. @param {number} epoch @param {string} root its root manifest's SHA-256 */
export async function noteEpoch(epoch, root) {
  const mark = await seenMark();
  if (epoch > mark.epoch || (epoch === mark.epoch && !mark.root)) {
    await tx(EPOCH_DB, "readwrite", (st) => st.put({ epoch, root }, "max"));
  }
}
