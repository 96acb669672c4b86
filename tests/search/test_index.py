"""Index stage: Pagefind fed in memory, its output canonical, in shards for large regions."""

from __future__ import annotations

import json

import pytest
from conftest import fast_config, load_directory, make_tree

from tsunagu.render.pages import render_site
from tsunagu.search import index
from tsunagu.search.index import index_pages, index_record, is_runtime, without_index_block


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("index")
    data = make_tree(root)
    return render_site(load_directory(data), fast_config(data, root / "site"))


def test_a_record_page_reaches_pagefind_as_its_search_block_only(pages):
    path = next(p for p, b in pages.items() if p.startswith("r/") and "デイサービスさくら".encode() in b)
    record = index_record(path, pages[path])
    assert record["type"] == "AddFile" and record["url"] == "/" + path and record["file_path"] is None
    doc = record["file_contents"]
    assert doc.count("data-pagefind-body") == 1 and 'data-pagefind-weight="' in doc
    assert '<span data-pagefind-meta="title">デイサービスさくら</span>' in doc
    assert "<header" not in doc and "<nav" not in doc, "only the search block, not the page around it"
    stripped = without_index_block(pages[path])
    assert b"data-pagefind" not in stripped and "デイサービスさくら".encode() in stripped


def test_pagefind_output_is_the_same_every_run(pages):
    assert index_pages(pages) == index_pages(pages)


def test_large_regions_are_indexed_in_shards(pages, monkeypatch):
    monkeypatch.setattr(index, "SHARD", 2)
    files = index_pages(pages)
    records = sum(p.startswith("r/") for p in pages)
    shards = json.loads(files["pagefind/shards.json"])
    assert shards == [f"s{n}/" for n in range(1, -(-records // 2))]
    for shard in shards:
        own = [p for p in files if p.startswith(f"pagefind/{shard}")]
        assert f"pagefind/{shard}pagefind-entry.json" in own
        assert not any(is_runtime(p) for p in own), "the runtime is loaded once, from pagefind/"
    pages_indexed = sum(
        json.loads(files[f"pagefind/{d}pagefind-entry.json"])["languages"]["zz"]["page_count"] for d in ["", *shards]
    )
    assert pages_indexed == records
    monkeypatch.setattr(index, "SHARD", 7_000)
    assert json.loads(index_pages(pages)["pagefind/shards.json"]) == []


def test_a_region_just_above_one_shard_is_cut_in_two_not_three():
    # Each shard costs the browser its own index fetches and search: 13,000 records make two shards.
    assert [index.shard_count(n) for n in (1, 6_000, 6_001, 13_000, 15_000, 15_001, 18_000, 18_001, 60_000)] == [
        1,
        1,
        2,
        2,
        2,
        3,
        3,
        4,
        10,
    ]
