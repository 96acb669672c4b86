"""How many bits a password carries against someone who knows the site and our word lists.

Each word of a known list counts at its list's entropy (BIP-39 Japanese 11 bits, EFF 12.9), every
word the site itself shows (title, region, areas, services, desks, synonyms) at ~8 bits whatever
zxcvbn thinks, and the rest at zxcvbn's estimate, except that a run zxcvbn can only brute-force
counts per character (zxcvbn assumes 10 symbols per character, too few for 7Qm-x9Lr-…; and it
knows no Japanese).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources

SITE_WORD_BITS = 8.0
_SPLIT = re.compile(r"[\s\u3000]+")


@functools.cache
def japanese_words() -> tuple[str, ...]:
    """The BIP-39 Japanese list shipped with tsunagu, as NFC (see wordlists/README.md)."""
    text = resources.files("tsunagu.seal").joinpath("wordlists/bip39_japanese.txt").read_text("utf-8")
    return tuple(sorted({unicodedata.normalize("NFC", w.strip()) for w in text.splitlines() if w.strip()}))


@functools.cache
def english_words() -> tuple[str, ...]:
    """The EFF long word list shipped with tsunagu."""
    text = resources.files("tsunagu.seal").joinpath("wordlists/eff_large_wordlist.txt").read_text("utf-8")
    return tuple(sorted({w.strip() for w in text.splitlines() if w.strip()}))


@functools.cache
def _lists() -> dict[str, float]:
    """Every listed word -> its bits (a word in both lists counts at the smaller)."""
    out: dict[str, float] = {}
    for words in (english_words(), japanese_words()):
        bits = math.log2(len(words))
        for word in words:
            out[word] = min(bits, out.get(word, bits))
    return out


def _char_bits(char: str) -> float:
    """What one brute-forced character is worth: its class's size."""
    if char.isdigit() and char.isascii():
        return math.log2(10)
    if char.isascii() and char.isalpha():
        return math.log2(26)
    if char.isascii():
        return math.log2(33)
    return 5.0  # kana, kanji: at least as many as the 46 basic kana


def _run_bits(run: str, known: list[str]) -> float:
    """zxcvbn's estimate of a run, its brute-forced parts counted per character instead."""
    from zxcvbn import zxcvbn

    result = zxcvbn(run[:100], user_inputs=known)
    bits = 0.0
    for match in result["sequence"]:
        if match["pattern"] == "bruteforce":
            bits += sum(_char_bits(c) for c in match["token"])
        else:
            bits += math.log2(max(float(match["guesses"]), 1.0))
    return bits


def _token_bits(token: str, site: dict[str, float], known: list[str]) -> float:
    """A word-separated token: known words matched longest first, the rest as runs."""
    bits, run, i = 0.0, "", 0
    words = {**_lists(), **site}
    longest = max(map(len, words), default=0)
    while i < len(token):
        match = next(
            (token[i : i + n] for n in range(min(longest, len(token) - i), 1, -1) if token[i : i + n] in words), None
        )
        if match is None:
            run += token[i]
            i += 1
            continue
        if run:
            bits, run = bits + _run_bits(run, known), ""
        bits += words[match]
        i += len(match)
    return bits + (_run_bits(run, known) if run else 0.0)


def estimate_bits(password: str, site_words: Iterable[str]) -> float:
    """The password's bits: the sum over its space-separated tokens."""
    known = sorted({unicodedata.normalize("NFC", w).lower() for w in site_words if w})
    site = {w: SITE_WORD_BITS for w in known if len(w) >= 2}
    text = unicodedata.normalize("NFC", password).lower()
    return sum(_token_bits(t, site, known) for t in _SPLIT.split(text) if t)
