// Shared by the Node tests: the browser modules (from TSUNAGU_STATIC when a test points it at a changed copy)
// and the wire-format vectors of tests/vectors, which tests/seal/test_vectors.py checks against the Python side.
import { readFileSync } from "node:fs";

const here = new URL(".", import.meta.url);
/** Where the browser modules are: the checkout's, or a copy (tests/seal/test_vectors.py changes one to see a test fail). */
export const STATIC = process.env.TSUNAGU_STATIC ? new URL(`file://${process.env.TSUNAGU_STATIC.replace(/\/?$/, "/")}`)
  : new URL("../../tsunagu/web/static/", here);

/** One of the browser's ES modules. @param {string} name */
export const load = (name) => import(new URL(name, STATIC).href);

/** A vector file of tests/vectors. @param {string} name */
export const vector = (name) => JSON.parse(readFileSync(new URL(`../vectors/${name}.json`, here), "utf-8"));

/** Bytes of base64 and hex text. */
export const fromB64 = (text) => new Uint8Array(Buffer.from(text, "base64"));
export const fromHex = (text) => new Uint8Array(Buffer.from(text, "hex"));
export const toHex = (bytes) => Buffer.from(bytes).toString("hex");
export const utf8 = (bytes) => new TextDecoder().decode(bytes);

/** An AES-GCM key of raw bytes, for encrypting and decrypting. @param {Uint8Array} raw */
export const aesKey = (raw) => crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
