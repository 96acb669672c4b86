"""Search quality on two regions: the matching and ordering that /search/ runs, measured in Python.

The demo (data/, with a site.yaml that only adds a word) and a second region written from scratch
(tests/fixtures/region2, no synonyms at all) must both find every expected record with tsunagu's
own vocabulary, and put an exact name or number first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from tools import ROOT

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.search.searchdoc import search_blocks, search_context
from tsunagu.search.textsearch import exact_token, index_blocks, normalize, query_tokens, token

REGIONS = {
    "demo": (ROOT / "data", ROOT / "tests" / "search_queries.yaml"),
    "second": (
        ROOT / "tests" / "fixtures" / "region2" / "data",
        ROOT / "tests" / "fixtures" / "region2" / "search_queries.yaml",
    ),
}


@dataclass
class Index:
    """A region's records as search sees them: token -> weight per record, and its place names."""

    weights: dict[str, dict[str, int]]
    places: tuple[str, ...]
    place_words: tuple[str, ...] = ()

    def find(self, q: str) -> list[str]:
        """Record ids in the order search.js lists them (Pagefind weights modelled as the sum of block weights)."""
        tokens = query_tokens(q, self.places, self.place_words)
        exact = [rid for rid, w in self.weights.items() if normalize(q) and exact_token(q) in w]
        scored = []
        for rid, w in self.weights.items():
            best = [max((v for t, v in w.items() if t.startswith(q_t)), default=0) for q_t in tokens]
            if tokens and all(best):
                scored.append((-sum(best), rid))
        if normalize(q).isdigit() and exact:
            return sorted(exact)
        return sorted(exact) + [rid for _, rid in sorted(scored) if rid not in exact]


def load_index(data_dir: Path) -> Index:
    """Build a region's search tokens exactly as the render stage does."""
    directory = validate_tree(load_tree(data_dir), dt.date(2026, 11, 22))
    ids = [p.id for p in directory.providers] + [p.id for p in directory.physicians]
    records = [*directory.providers, *directory.physicians]
    ctx = search_context(directory.site, records)
    weights = {}
    for rid, r in zip(ids, records, strict=True):
        weights[rid] = {t: w for w, text in reversed(search_blocks(r, ctx)) for t in text.split()}
    return Index(weights, ctx.places, ctx.place_words)


@pytest.fixture(scope="module", params=list(REGIONS))
def region(request) -> tuple[str, Index, list[dict]]:
    data_dir, table = REGIONS[request.param]
    return request.param, load_index(data_dir), yaml.safe_load(table.read_text(encoding="utf-8"))


def measure(index: Index, queries: list[dict]) -> dict:
    """Recall (expected records listed), precision (listed records expected) and rank-1 rate."""
    misses, firsts, listed, relevant, expected = [], [], 0, 0, 0
    for row in queries:
        found = index.find(row["q"])
        want = set(row["expect"])
        if want - set(found):
            misses.append(f"{row['q']!r}: missing {sorted(want - set(found))}")
        if "first" in row and found[:1] != [row["first"]]:
            firsts.append(f"{row['q']!r}: first is {found[:1]}, expected {row['first']}")
        listed += len(found)
        relevant += len(want & set(found))
        expected += len(want)
    ranked = sum("first" in row for row in queries)
    return {
        "recall": relevant / max(expected, 1),
        "precision": relevant / max(listed, 1),
        "rank1": (ranked - len(firsts)) / max(ranked, 1),
        "misses": misses,
        "firsts": firsts,
        "queries": len(queries),
        "ranked": ranked,
    }


def test_query_table_is_large_enough_and_names_real_records(region):
    name, index, queries = region
    assert len(queries) >= 60
    assert sum("first" in row for row in queries) >= 12
    unknown = {
        rid
        for row in queries
        for rid in row["expect"] + [row.get("first", row["expect"][:1] and row["expect"][0])]
        if rid
    } - set(index.weights)
    assert not unknown, f"{name}: query table names records that are not in the data: {unknown}"


def test_every_query_finds_every_expected_record_and_ranks_exact_matches_first(region):
    name, index, queries = region
    m = measure(index, queries)
    print(
        f"\nsearch quality ({name}): {m['queries']} queries, recall {m['recall']:.2f}, "
        f"precision {m['precision']:.2f}, rank-1 {m['rank1']:.2f} over {m['ranked']} exact queries"
    )
    assert not m["misses"], "\n".join(m["misses"])
    assert not m["firsts"], "\n".join(m["firsts"])
    assert m["precision"] >= 0.9, f"{name}: precision {m['precision']:.2f}"


def test_the_second_region_has_no_synonyms_and_every_mhlw_service():
    from tsunagu.domain.services import SERVICE_NAMES

    site = yaml.safe_load((REGIONS["second"][0] / "site.yaml").read_text(encoding="utf-8"))
    assert "synonyms" not in site
    offered = {
        s
        for f in (REGIONS["second"][0] / "providers").glob("*.yaml")
        for s in yaml.safe_load(f.read_text(encoding="utf-8"))["services"]
    }
    assert {site["services"][s] for s in offered} == set(SERVICE_NAMES)


def test_a_query_of_only_the_regions_own_place_names_has_no_words(region):
    name, index, queries = region
    for row in queries:
        if row.get("places_only"):
            assert query_tokens(row["q"], index.places, index.place_words) == [] and index.find(row["q"]) == []


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("ﾃﾞｲｻｰﾋﾞｽ", "デイサービス"),
        ("ＰＣＲ", "pcr"),
        ("０２９－０００－１１１１", "029-000-1111"),
        ("ヤマダ タロウ", "やまだたろう"),
        ("やまだ　内科", "ヤマダ内科"),
    ],
)
def test_width_kana_and_separators_fold_the_same_way(typed, stored):
    assert normalize(typed) == normalize(stored)
    assert exact_token(typed) == exact_token(stored)


def test_tokens_are_plain_ascii_words():
    assert token("さく") == "k030550304f"
    assert query_tokens("さくら") == ["k030550304f", "k0304f03089"]
    assert query_tokens("南") == [token("南")]
    assert query_tokens("  ") == []
    assert exact_token("029-000-1011") == exact_token("0290001011") and len(exact_token("x")) == 13


def test_index_tokens_are_lean_each_once_and_no_unigram_that_starts_a_bigram(region):
    name, index, queries = region
    for rid, weights in index.weights.items():
        starts = {t[:6] for t in weights if t.startswith("k") and len(t) == 11}
        assert not [t for t in weights if len(t) == 6 and t in starts], rid
    blocks = index_blocks([["さくら"], ["さくら", "ら"], ["らくだ"]])
    assert blocks == [f"{token('さく')} {token('くら')}", "", f"{token('らく')} {token('くだ')} {token('だ')}"]


def test_the_regions_own_municipality_is_no_search_word_but_towns_are():
    demo = load_index(REGIONS["demo"][0])
    assert set(demo.find("さくら")) == {
        "day-sakura",
        "houkan-sakuragaoka",
        "kyotaku-nishiodori",
        "kyotaku-sakuragaoka",
        "teiki-chuo",
        "ito-chuo-hosp",
    }  # not every address in さくら市


def test_a_service_name_typed_whole_finds_the_offices_that_offer_it_as_whole_word_hits():
    # Whole-word hits lead the list, and search.js shows them before the n-gram search of every shard (seconds
    # for a broad word at 40,000 records): a service's name typed whole is such a word for every office offering it.
    data_dir = REGIONS["second"][0]
    directory = validate_tree(load_tree(data_dir), dt.date(2026, 11, 22))
    index = load_index(data_dir)
    offering: dict[str, set[str]] = {}
    for p in directory.providers:
        for service in p.services:
            offering.setdefault(service, set()).add(p.id)
    assert len(offering) >= 20
    for service, ids in offering.items():
        assert all(exact_token(service) in index.weights[i] for i in ids), service
        assert set(index.find(service)[: len(ids)]) == ids, service
