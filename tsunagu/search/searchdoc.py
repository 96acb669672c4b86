"""What a record gives the search index: weighted token blocks from its text and the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from tsunagu.domain.labels import OPERATION_JA
from tsunagu.domain.models import Physician, Provider, Site
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
from tsunagu.search.vocabulary import CARE_SUPPORT, HOME_VISITS, Vocabulary, compile_vocabulary


@dataclass
class SearchContext:
    """Per build: the region's vocabulary, its own municipality names, and its service codes."""

    vocabulary: Vocabulary
    places: tuple[str, ...]
    codes: dict[str, str]


def search_context(site: Site, records: list[Provider | Physician]) -> SearchContext:
    """The search settings of a region, from site.yaml and the addresses of its records."""
    return SearchContext(compile_vocabulary(site.synonyms, site.services),
                         common_places(site.region, [r.address for r in records]), dict(site.services))


def _blocks(r: Provider | Physician) -> tuple[list[str], list[str], list[str]]:
    """The record's own text as (name, kind, other) texts."""
    if isinstance(r, Provider):
        s = r.status
        return ([r.name, r.name_kana or ""], [*r.services],
                [r.office_number or "", s.conditions or "", r.hours or "", OPERATION_JA[s.operation]])
    marks = ([HOME_VISITS] if r.home_visits else []) + ([CARE_SUPPORT] if r.care_support_doctor else [])
    return ([r.name, r.name_kana or "", r.clinic, r.clinic_kana or ""], [*r.specialties, *marks],
            [r.contact.via or "", r.contact.notes or ""])


def search_blocks(r: Provider | Physician, ctx: SearchContext) -> list[tuple[int, str]]:
    """(Pagefind weight, tokens) blocks: names (and exact tokens) first, then kind, then the rest."""
    names, kind, other = _blocks(r)
    codes = [ctx.codes.get(s, "") for s in r.services] if isinstance(r, Provider) else []
    services = r.services if isinstance(r, Provider) else []
    kind += ctx.vocabulary.words_for(services, codes, "\n".join(names + kind))
    # The prefecture and the region's own municipality start nearly every address: as search
    # words they would match every record and cost Pagefind seconds, while finding nothing.
    other += [r.area, strip_places(r.address, ctx.places), r.phone, r.fax or "", r.notes or ""]
    blocks = index_blocks([names, kind, [t for t in other if t]])
    # Whole names and numbers; only the phone also by its ends, as people quote them (000-1441, 1441).
    exact = {exact_token(t) for t in [*names, r.fax or "", getattr(r, "office_number", None) or ""] if t}
    exact.update(number_tokens(r.phone))
    blocks[0] = " ".join([blocks[0], *sorted(exact)]).strip()
    return list(zip((NAME_WEIGHT, KIND_WEIGHT, OTHER_WEIGHT), blocks, strict=True))


def search_text(r: Provider | Physician, ctx: SearchContext) -> str:
    """Every token of a record, space-separated (what the index holds for it)."""
    return " ".join(text for _, text in search_blocks(r, ctx) if text)
