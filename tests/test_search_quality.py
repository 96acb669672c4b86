"""Search quality over the demo data: the n-gram matching that the browser runs, measured in Python."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from tsunagu.domain.config import Config
from tsunagu.pipeline.load import load_tree
from tsunagu.pipeline.render import make_entries, search_text
from tsunagu.pipeline.textsearch import normalize, query_tokens, token

REPO = Path(__file__).resolve().parents[1]
QUERIES = yaml.safe_load((REPO / "tests" / "search_queries.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def token_sets() -> dict[str, set[str]]:
    from tsunagu.pipeline.validate import validate_tree

    config = Config(data_dir=REPO / "data", today=dt.date(2026, 11, 22))
    directory = validate_tree(load_tree(config.data_dir), config.today)
    providers, physicians = make_entries(directory, config)
    return {e.record.id: set(search_text(e, directory.site.synonyms).split()) for e in providers + physicians}


def test_query_table_is_large_enough_and_names_real_records(token_sets):
    assert len(QUERIES) >= 40
    unknown = {rid for row in QUERIES for rid in row["expect"]} - set(token_sets)
    assert not unknown, f"query table names records that are not in data/: {unknown}"


def test_every_query_finds_every_expected_record(token_sets):
    misses, found_total, relevant_total = [], 0, 0
    for row in QUERIES:
        tokens = query_tokens(row["q"])
        hits = {rid for rid, toks in token_sets.items() if tokens and all(t in toks for t in tokens)}
        expected = set(row["expect"])
        if expected - hits:
            misses.append(f"{row['q']!r}: missing {sorted(expected - hits)}")
        found_total += len(hits)
        relevant_total += len(hits & expected)
    recall = 1 - len(misses) / len(QUERIES)
    precision = relevant_total / max(found_total, 1)
    print(f"\nsearch quality: {len(QUERIES)} queries, recall {recall:.0%} of queries complete, "
          f"precision {precision:.0%} ({relevant_total}/{found_total} results listed as expected)")
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize("typed, stored", [
    ("ﾃﾞｲｻｰﾋﾞｽ", "デイサービス"), ("ＰＣＲ", "pcr"), ("０２９－０００－１１１１", "029-000-1111"),
    ("ヤマダ タロウ", "やまだたろう"), ("やまだ　内科", "ヤマダ内科"),
])
def test_width_kana_and_separators_fold_the_same_way(typed, stored):
    assert normalize(typed) == normalize(stored)


def test_tokens_are_plain_ascii_words():
    assert token("さく") == "k030550304f"
    assert query_tokens("さくら") == ["k030550304f", "k0304f03089"]
    assert query_tokens("南") == [token("南")]
    assert query_tokens("  ") == []
