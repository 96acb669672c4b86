// @ts-check
/** Search text: the normaliser and the query tokens of tsunagu/search/textsearch.py, from the tables of wire.js. */
import * as W from "./wire.js";

/** A character class of code point ranges, as wire.char_class builds it in Python. @param {number[][]} ranges */
const charClass = (ranges) => "[" + ranges.map(([a, b]) => `\\u{${a.toString(16)}}` + (a === b ? "" : `-\\u{${b.toString(16)}}`)).join("") + "]";
const DROP = new RegExp(charClass(W.DROP) + "+", "gu");
const SPACE = charClass(W.SPACES);
const WORDS = new RegExp(SPACE + "+", "u");
const [KANA_FIRST, KANA_LAST] = W.KANA;

/** NFKC (width), lower case, katakana folded to hiragana, then every DROP character removed. @param {string} text */
export function normalize(text) {
  let folded = "";
  for (const c of text.normalize("NFKC").toLowerCase()) {
    const code = /** @type {number} */ (c.codePointAt(0));
    folded += code >= KANA_FIRST && code <= KANA_LAST ? String.fromCodePoint(code - W.KANA_SHIFT) : c;
  }
  return folded.replace(DROP, "");
}

/** An n-gram as one ASCII word: TOKEN_PREFIX + TOKEN_HEX hex digits per character. @param {string} gram */
export const token = (gram) => W.TOKEN_PREFIX + Array.from(gram, (c) => /** @type {number} */ (c.codePointAt(0)).toString(16).padStart(W.TOKEN_HEX, "0")).join("");

/** A normalised query word's leading place words (tsunagu/search/places.py peel): those of `common` dropped,
    those of `words` kept; all normalised. @param {string} word @param {string[]} common @param {string[]} words
    @returns {[string[], string]} */
export function peel(word, common, words) {
  const names = [...new Set([...common, ...words])].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  /** @type {string[]} */
  const found = [];
  for (;;) {
    const hit = word && names.find((p) => p && word.startsWith(p));
    if (!hit) break;
    if (words.includes(hit)) found.push(hit);
    word = word.slice(hit.length);
  }
  return [found, word];
}

/** The normalised words of a query without its place words, and its place words (tsunagu/search/textsearch.py query_parts).
    @param {string} text @param {string[]} places @param {string[]} [words] @returns {[string[], string[]]} */
export function queryParts(text, places, words = []) {
  const common = places.map(normalize), kept = words.map(normalize);
  /** @type {string[]} */
  const rest = [];
  /** @type {string[]} */
  const found = [];
  for (const word of text.split(WORDS)) {
    const [named, remainder] = peel(normalize(word), common, kept);
    found.push(...named);
    if (remainder) rest.push(remainder);
  }
  return [rest, [...new Set(found)]];
}

/** The normalised words of a query, without its place words. @param {string} text @param {string[]} places @param {string[]} [words] */
export const queryWords = (text, places, words = []) => queryParts(text, places, words)[0];

/** Tokens a query must all match: its place words whole, bigrams of each other word (a unigram for a one-character word).
    @param {string} text @param {string[]} places @param {string[]} [words] */
export function queryTokens(text, places, words = []) {
  const [rest, named] = queryParts(text, places, words);
  const out = named.map(exactToken);
  for (const word of rest) {
    const chars = Array.from(word);
    if (chars.length === 1) out.push(token(chars[0]));
    for (let i = 0; i + 1 < chars.length; i++) out.push(token(chars[i] + chars[i + 1]));
  }
  return [...new Set(out)];
}

/** A whole name or number as one word: EXACT_PREFIX + the first EXACT_HEX hex digits of FNV-1a-64. @param {string} text */
export function exactToken(text) {
  const prime = BigInt(W.FNV_PRIME), mask = (1n << 64n) - 1n;
  let h = W.FNV_OFFSET;
  for (const b of new TextEncoder().encode(normalize(text))) h = ((h ^ BigInt(b)) * prime) & mask;
  return W.EXACT_PREFIX + h.toString(16).padStart(16, "0").slice(0, W.EXACT_HEX);
}
