// keys.json as the browser reads it: the same accept/refuse verdicts as Python, the slot opened by a known password.
import assert from "node:assert/strict";
import test from "node:test";
import { aesKey, fromB64, fromHex, load, toHex, vector } from "./support.mjs";

const V = vector("keys");
const seal = await load("seal.js");
const { UnsafeKeys } = await load("errors.js");

/** Whether a key decrypts what was sealed under the raw content key of the vector. */
async function opensWith(key, raw) {
  const iv = new Uint8Array(12), probe = new TextEncoder().encode("probe");
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(fromB64(raw)), probe);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed);
  return new TextDecoder().decode(plain) === "probe";
}

test("checkKeys accepts and refuses what Python's check_keys does", () => {
  for (const c of V.checks) {
    let accepted = true;
    try { seal.checkKeys(JSON.parse(c.keys_json)); } catch (e) {
      assert.ok(e instanceof UnsafeKeys, `${c.why}: ${e}`);
      accepted = false;
    }
    assert.equal(accepted, c.accept, c.why);
  }
});

test("the slot's associated data binds the epoch and the root manifest's hash", () => {
  assert.equal(toHex(seal.slotAd(seal.checkKeys(JSON.parse(V.keys_json)))), V.slot_ad);
});

test("the known password opens the slot at the browser's iterations; another does not", async () => {
  const keys = seal.checkKeys(JSON.parse(V.keys_json));
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(V.password.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  const kek = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: fromB64(keys.salt), iterations: keys.iterations }, base, 256);
  assert.equal(toHex(new Uint8Array(kek)), V.kek);   // NFC first: the vector's password is decomposed
  const key = await seal.unwrapContentKey(keys, await seal.deriveKek(V.password, keys));
  assert.ok(key && await opensWith(key, V.content_key));
  assert.equal(await seal.unwrapContentKey(keys, await seal.deriveKek(V.wrong_password, keys)), null);
});

test("every password of a low-iteration keys.json (marked) opens its own slot", async () => {
  const low = JSON.parse(V.low_iterations.keys_json);   // below the browser's minimum: checkKeys is not asked
  assert.throws(() => seal.checkKeys(low), UnsafeKeys);
  for (const password of V.low_iterations.passwords) {
    const key = await seal.unwrapContentKey(low, await seal.deriveKek(password, low));
    assert.ok(key && await opensWith(key, V.low_iterations.content_key), password);
  }
  const moved = { ...low, epoch: low.epoch + 1 };   // the slots are bound to their epoch
  assert.equal(await seal.unwrapContentKey(moved, await seal.deriveKek(V.low_iterations.passwords[0], moved)), null);
  assert.equal(toHex(fromHex(low.root_sha256)), low.root_sha256);
});
