"""Search text: one normalisation for index and query (static/tokens.js applies the same tables), and n-gram tokens.

Pagefind segments Japanese with Lindera at index time and Intl.Segmenter at query time; they
disagree on compounds and place names. Indexing character n-grams as plain ASCII tokens, and
turning the query into the same tokens, makes partial words and compounds match either way.
Pagefind matches a query word as the prefix of indexed words, so a one-character query finds
every bigram that starts with that character: the index holds a unigram only where no bigram
of the record starts with it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from tsunagu.seal import wire
from tsunagu.search.places import peel

# The tables of wire.py (the browser builds the same expressions from wire.js): separators, marks, controls and
# invisible characters are dropped, so 029-000-1111 and 0290001111 agree; words are split at SPACES.
_DROP = re.compile(wire.char_class(wire.DROP) + "+")
_SPACE = wire.char_class(wire.SPACES)
_WORDS = re.compile(_SPACE + "+")
# Katakana folded to hiragana by one table lookup per character (str.translate), not a Python loop.
_KANA_FOLD = {c: c - wire.KANA_SHIFT for c in range(wire.KANA[0], wire.KANA[1] + 1)}
_UNIGRAM, _BIGRAM = 1 + wire.TOKEN_HEX, 1 + 2 * wire.TOKEN_HEX  # lengths of the two kinds of token
# Tokens in three blocks: what the record is called, what it is, and everything else.
NAME_WEIGHT, KIND_WEIGHT, OTHER_WEIGHT = 10, 5, 1


def normalize(text: str) -> str:
    """NFKC (width), lower case, katakana folded to hiragana, then every DROP character removed."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower().translate(_KANA_FOLD))


@functools.lru_cache(maxsize=65536)
def _hex(char: str) -> str:
    return f"{ord(char):0{wire.TOKEN_HEX}x}"


def token(gram: str) -> str:
    """An n-gram as one ASCII word that no segmenter splits: 'k' + 5 hex digits per character."""
    return wire.TOKEN_PREFIX + "".join(_hex(c) for c in gram)


@functools.lru_cache(maxsize=65536)  # vocabulary words, areas and fax numbers recur on many records
def exact_token(text: str) -> str:
    """A whole name or number as one word: 'x' + 48 bits of FNV-1a-64 over its normalised UTF-8."""
    h = wire.FNV_OFFSET
    for byte in normalize(text).encode():
        h = ((h ^ byte) * wire.FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return wire.EXACT_PREFIX + f"{h:016x}"[: wire.EXACT_HEX]


def query_parts(text: str, places: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """(the normalised words of a query, its place words): each word peeled of its leading places
    (places.py); the region's common places (on nearly every address) are dropped."""
    common, kept = tuple(normalize(p) for p in places), tuple(normalize(p) for p in words)
    rest: list[str] = []
    found: list[str] = []
    for word in _WORDS.split(text):
        named, remainder = peel(normalize(word), common, kept)
        found += named
        if remainder:
            rest.append(remainder)
    return rest, list(dict.fromkeys(found))


def query_words(text: str, places: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> list[str]:
    """The normalised words of a query, without its place words."""
    return query_parts(text, places, words)[0]


def query_tokens(text: str, places: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> list[str]:
    """Tokens a query must all match: its place words whole, bigrams of each other word (a unigram for one character)."""
    rest, named = query_parts(text, places, words)
    out = [exact_token(p) for p in named]
    for norm in rest:
        grams = [norm] if len(norm) == 1 else [norm[i : i + 2] for i in range(len(norm) - 1)]
        out.extend(token(g) for g in grams)
    return list(dict.fromkeys(out))


def number_tokens(number: str) -> list[str]:
    """Exact tokens of a phone or office number, and of its ends after each hyphen (000-1441, 1441)."""
    parts = number.split("-")
    return [exact_token("".join(parts[i:])) for i in range(len(parts))]


def index_blocks(blocks: list[list[str]]) -> list[str]:
    """Space-separated tokens per block (most weighty first); each token once, in its first block."""
    grams: list[dict[str, None]] = []
    for texts in blocks:
        seen: dict[str, None] = {}
        for text in texts:
            # The whole field at once, so "山田 太郎" also matches a query typed as "山田太郎".
            hexes = [_hex(c) for c in normalize(text)]
            for i in range(len(hexes) - 1):
                seen[wire.TOKEN_PREFIX + hexes[i] + hexes[i + 1]] = None
            if hexes:
                seen.setdefault(wire.TOKEN_PREFIX + hexes[-1], None)
        grams.append(seen)
    starts = {t[:_UNIGRAM] for block in grams for t in block if len(t) == _BIGRAM}
    out, done = [], set()
    for block in grams:
        # A unigram is redundant where a bigram starts with it: the query word matches as a prefix.
        kept = [t for t in block if t not in done and not (len(t) == _UNIGRAM and t in starts)]
        done.update(kept)
        out.append(" ".join(kept))
    return out
