// @ts-check
/** Why something was not shown, as types: callers tell them apart with instanceof, never by message text. */

/** No usable key on this device (never unlocked, logged out, expired, or the password was changed). */
export class Locked extends Error { name = "Locked"; }

/** Refused as unsafe: never decrypted further, never shown. */
export class Refused extends Error { name = "Refused"; }

/** keys.json asks for a version, KDF, cipher or iteration count this version does not accept. */
export class UnsafeKeys extends Refused { name = "UnsafeKeys"; }

/** The build is older than one this device has already seen. */
export class Rollback extends Refused { name = "Rollback"; }

/** Bytes that do not match their hash, their framing or their authentication tag (tampered or damaged). */
export class Tampered extends Refused { name = "Tampered"; }

/** The host answered with an error for a file the build lists. */
export class Unavailable extends Error { name = "Unavailable"; }

/** The browser's storage for this site is full. */
export class StorageFull extends Error { name = "StorageFull"; }

/** The device's storage refused a write: StorageFull for a quota error, the error itself otherwise. @param {unknown} err */
export function storageError(err) {
  return err instanceof DOMException && err.name === "QuotaExceededError" ? new StorageFull(err.message) : err;
}
