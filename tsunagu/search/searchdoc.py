"""What a record gives the search index: weighted token blocks from its text and the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from tsunagu.domain.kinds import kind_of
from tsunagu.domain.models import Record, Site
from tsunagu.search.places import place_words, region_places, split_address
from tsunagu.search.textsearch import (
    KIND_WEIGHT,
    NAME_WEIGHT,
    OTHER_WEIGHT,
    exact_token,
    index_blocks,
    number_tokens,
)
from tsunagu.search.vocabulary import Vocabulary, compile_vocabulary


@dataclass
class SearchContext:
    """Per build: the region's vocabulary, its place words (common to nearly every address, or not), its service codes."""

    vocabulary: Vocabulary
    places: tuple[str, ...]  # on nearly every address: no search word (static/search.js drops them)
    codes: dict[str, str]
    place_words: tuple[str, ...] = ()  # every other place word: a whole-word term (places.py)


def search_context(site: Site, records: list[Record]) -> SearchContext:
    """The search settings of a region, from site.yaml and the addresses of its records."""
    common, words = region_places([r.address for r in records])
    return SearchContext(compile_vocabulary(site.synonyms, site.services), common, dict(site.services), words)


def search_blocks(r: Record, ctx: SearchContext) -> list[tuple[int, str]]:
    """(Pagefind weight, tokens) blocks: names (and exact tokens) first, then kind, then the rest."""
    text = kind_of(r).search_text(r)
    names = text.names
    codes = [ctx.codes.get(s, "") for s in text.services]
    words = ctx.vocabulary.words_for(text.services, codes, "\n".join(names + text.kind))
    kind = text.kind + words
    # The places that start the address are whole words (places.py), not n-grams: 京都 is not in 東京都;
    # those on nearly every address would match every record and cost Pagefind seconds, finding nothing.
    places, street = split_address(r.address)
    # An area that is itself a place (東京都, 札幌市中央区: a region of many municipalities) is a place too,
    # or its n-grams find 東京都's offices for 京都.
    area_places, area_rest = split_address(r.area)
    area = "" if area_places and not area_rest else r.area
    other = [*text.other, area, street, r.phone, r.fax or "", r.notes or ""]
    blocks = index_blocks([names, kind, [t for t in other if t]])
    common = set(ctx.places)
    where = sorted({exact_token(p) for p in place_words([p for p in places + area_places if p not in common])})
    blocks[2] = " ".join([blocks[2], *where]).strip()
    # Whole names and numbers; only the phone also by its ends, as people quote them (000-1441, 1441).
    # A vocabulary word whole too: search.js lists the records whose whole word the query is first, so
    # ショート puts a 短期入所 office first, never one whose name merely holds ショート.
    # A service's name whole too (訪問看護 typed whole): the records that offer it lead, and search.js shows them
    # before the n-gram search of every shard (a broad word's seconds at 40,000 records).
    exact = {exact_token(t) for t in [*names, r.fax or "", *text.numbers, *words, *text.services] if t}
    exact.update(number_tokens(r.phone))
    blocks[0] = " ".join([blocks[0], *sorted(exact)]).strip()
    return list(zip((NAME_WEIGHT, KIND_WEIGHT, OTHER_WEIGHT), blocks, strict=True))


def search_text(r: Record, ctx: SearchContext) -> str:
    """Every token of a record, space-separated (what the index holds for it)."""
    return " ".join(text for _, text in search_blocks(r, ctx) if text)
