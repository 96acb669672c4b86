// @ts-check
/** Search text: the normaliser and the query tokens of tsunagu/search/textsearch.py, from the tables of wire.js. */
import * as W from "./wire.js";

/** A character class of code point ranges, as wire.char_class builds it in Python. @param {number[][]} ranges */
const charClass = (ranges) => "[" + ranges.map(([a, b]) => `\\u{${a.toString(16)}}` + (a === b ? "" : `-\\u{${b.toString(16)}}`)).join("") + "]";
const DROP = new RegExp(charClass(W.DROP) + "+", "gu");
const SPACE = charClass(W.SPACES);
const WORDS = new RegExp(SPACE + "+", "u");
const LEADING = new RegExp("^" + SPACE + "+", "u");
const PREFECTURE = new RegExp(`^${SPACE}*(?:${W.PREFECTURES.join("|")})(?=[^${SPACE.slice(1, -1)}])`, "u");
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

/** A query word without a leading prefecture and, after it, one of the region's municipalities (longest first).
    @param {string} word @param {string[]} places */
export function stripPlaces(word, places) {
  const w = word.replace(PREFECTURE, "").replace(LEADING, "");
  const p = places.find((name) => w.startsWith(name));
  return p ? w.slice(p.length) : w;
}

/** The normalised words of a query. @param {string} text @param {string[]} places */
export const queryWords = (text, places) => text.split(WORDS).map((w) => normalize(stripPlaces(w, places))).filter(Boolean);

/** Tokens a query must all match: bigrams of each word, a unigram for a one-character word. @param {string} text @param {string[]} places */
export function queryTokens(text, places) {
  /** @type {string[]} */
  const out = [];
  for (const word of queryWords(text, places)) {
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
