"""What a record gives the search index: weighted token blocks from its text and the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from tsunagu.domain.kinds import kind_of
from tsunagu.domain.models import Record, Site
from tsunagu.search.textsearch import (
    KIND_WEIGHT,
    NAME_WEIGHT,
    OTHER_WEIGHT,
    common_places,
    exact_token,
    index_blocks,
    number_tokens,
    strip_places,
)
from tsunagu.search.vocabulary import Vocabulary, compile_vocabulary


@dataclass
class SearchContext:
    """Per build: the region's vocabulary, its own municipality names, and its service codes."""

    vocabulary: Vocabulary
    places: tuple[str, ...]
    codes: dict[str, str]


def search_context(site: Site, records: list[Record]) -> SearchContext:
    """The search settings of a region, from site.yaml and the addresses of its records."""
    return SearchContext(compile_vocabulary(site.synonyms, site.services),
                         common_places(site.region, [r.address for r in records]), dict(site.services))


def search_blocks(r: Record, ctx: SearchContext) -> list[tuple[int, str]]:
    """(Pagefind weight, tokens) blocks: names (and exact tokens) first, then kind, then the rest."""
    text = kind_of(r).search_text(r)
    names = text.names
    codes = [ctx.codes.get(s, "") for s in text.services]
    kind = text.kind + ctx.vocabulary.words_for(text.services, codes, "\n".join(names + text.kind))
    # The prefecture and the region's own municipality start nearly every address: as search
    # words they would match every record and cost Pagefind seconds, while finding nothing.
    other = [*text.other, r.area, strip_places(r.address, ctx.places), r.phone, r.fax or "", r.notes or ""]
    blocks = index_blocks([names, kind, [t for t in other if t]])
    # Whole names and numbers; only the phone also by its ends, as people quote them (000-1441, 1441).
    exact = {exact_token(t) for t in [*names, r.fax or "", *text.numbers] if t}
    exact.update(number_tokens(r.phone))
    blocks[0] = " ".join([blocks[0], *sorted(exact)]).strip()
    return list(zip((NAME_WEIGHT, KIND_WEIGHT, OTHER_WEIGHT), blocks, strict=True))


def search_text(r: Record, ctx: SearchContext) -> str:
    """Every token of a record, space-separated (what the index holds for it)."""
    return " ".join(text for _, text in search_blocks(r, ctx) if text)
