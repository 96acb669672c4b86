"""Place words: the prefecture, district, city and ward that start an address, as whole-word search terms.

As n-grams, place names match where they should not (京都 is inside 東京都) and, in a region of many
municipalities, a ward name alone (中央区) cannot tell 札幌市 from 東京都. So the leading places of an
address are indexed as exact tokens (textsearch.exact_token) and left out of its n-grams; a query word
is peeled of the region's place words the same way (static/tokens.js mirrors this), each one becoming
an exact token that results must hold. A place on nearly every address (the region itself) is no
search word at all: it would match everything.
"""

from __future__ import annotations

import re
from collections import Counter

from tsunagu.seal import wire

_SPACE = wire.char_class(wire.SPACES)
# Prefecture, then a Tokyo ward (〇〇区: before 市, so 中央区築地市場 is no city), 〇〇郡〇〇町/村, or
# 〇〇市(〇〇区), at the start of an address.
_ADDRESS = re.compile(
    f"^{_SPACE}*(?P<pref>{'|'.join(wire.PREFECTURES)})?{_SPACE}*"
    r"(?:(?P<ku>[^\d\s]{1,3}?区)"
    r"|(?P<gun>[^\d\s]{1,5}?郡)(?P<town>[^\d\s]{1,5}?[町村])"
    r"|(?P<city>[^\d\s]{1,5}?市(?:市)?)(?P<ward>[^\d\s]{1,4}?区)?)?"
)
# A place on this share of addresses or more is the region itself: not a search word.
COMMON_SHARE = 0.9


def split_address(address: str) -> tuple[list[str], str]:
    """(the leading place names, the rest): '北海道札幌市中央区北1条' -> (['北海道', '札幌市', '中央区'], '北1条')."""
    match = _ADDRESS.match(address)
    if match is None:  # the pattern matches the empty start at least; kept for the type checker
        return [], address
    places = [p for p in match.group("pref", "ku", "gun", "town", "city", "ward") if p]
    return places, address[match.end() :]


def place_words(places: list[str]) -> list[str]:
    """Each place and its everyday short form: 東京都 -> 東京, 札幌市 -> 札幌 (not a ward's or town's: 中央区 is not 中央)."""
    out = []
    for place in places:
        out.append(place)
        if place[-1] in "都府県市" and len(place) >= 3:
            out.append(place[:-1])
    return out


def region_places(addresses: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(common, words): the places on nearly every address, and every other place word of the region.

    Both longest first, as the query peels them (static/search.js gets them from the search page).
    """
    counts: Counter[str] = Counter()
    for address in addresses:
        counts.update(set(split_address(address)[0]))
    common = {p for p, n in counts.items() if n >= COMMON_SHARE * max(len(addresses), 1)}
    # The short form of the region's own city (さくら of さくら市) stays an ordinary word: names hold it too.
    words = set(place_words(sorted(set(counts) - common))) - common

    def longest_first(names: set[str]) -> tuple[str, ...]:
        return tuple(sorted(names, key=lambda p: (-len(p), p)))

    return longest_first(common), longest_first(words)


def peel(word: str, common: tuple[str, ...], words: tuple[str, ...]) -> tuple[list[str], str]:
    """A query word's leading place words (common ones dropped) and the rest of it; all already normalised."""
    found: list[str] = []
    names = sorted({*common, *words}, key=lambda p: (-len(p), p))
    while word:
        hit = next((p for p in names if p and word.startswith(p)), None)
        if hit is None:
            break
        if hit in words:
            found.append(hit)
        word = word[len(hit) :]
    return found, word
