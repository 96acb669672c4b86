"""Index stage: Pagefind fed in memory, its output canonical, in shards for large regions."""

from __future__ import annotations

import itertools
import json

import pytest
from conftest import fast_config, load_directory, make_tree

from tsunagu.domain.paths import is_record_page
from tsunagu.render.pages import render_site
from tsunagu.search import index, merge
from tsunagu.search.index import compact_record, index_pages, index_record, without_index_block
from tsunagu.search.output import META


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


def _unpack(data):
    import gzip

    import cbor2

    return cbor2.loads(gzip.decompress(data)[len(b"pagefind_dcd") :])


def _postings(files, meta):
    # word -> (fragment, locations) of every page it is on and of its variants, whatever the page numbers
    # (Pagefind writes each page number but a list's first as the difference from the one before)
    def pages_of(pages):
        numbers = list(itertools.accumulate(p[0] for p in pages))
        assert numbers == sorted(set(numbers)), "pages in order, once each"
        return [(meta[1][n][0], p[1:]) for n, p in zip(numbers, pages, strict=True)]

    got = {}
    for _from, _to, name in meta[2]:
        for word, pages, variants in _unpack(files[f"index/{name}.pf_index"])[0]:
            got.setdefault(word, []).extend(pages_of(pages))
            for form, of in variants:
                got.setdefault((word, form), []).extend(pages_of(of))
    return {word: sorted(found) for word, found in got.items()}


def _filters(files, meta):
    return {
        doc[0]: {v: sorted(meta[1][p][0] for p in ps) for v, ps in doc[1]}
        for doc in (_unpack(files[f"filter/{stem}.pf_filter"]) for _name, stem in meta[3])
    }


def test_large_regions_are_indexed_in_shards_merged_into_one_index(pages, monkeypatch):
    # Shards keep Pagefind's memory down; the browser gets one index, so a query word costs one chunk.
    monkeypatch.setattr(index, "SHARD", 2)
    monkeypatch.setattr(merge, "CHUNK", 60)  # many chunks of the demo's few words
    files = index_pages(pages)
    records = sum(p.startswith("r/") for p in pages)
    assert json.loads(files["pagefind/shards.json"]) == []
    assert not any(p.startswith("pagefind/s1/") for p in files)
    assert json.loads(files["pagefind/pagefind-entry.json"])["languages"]["zz"]["page_count"] == records
    documents = [compact_record(p, b) for p, b in sorted(pages.items()) if is_record_page(p)]
    count = index.shard_count(len(documents))
    assert count > 2
    shards = [index._shard(documents[i * records // count : (i + 1) * records // count]) for i in range(count)]
    metas = [_unpack(shard[META]) for shard in shards]
    merged = {p.removeprefix("pagefind/"): b for p, b in files.items()}
    meta = _unpack(merged[META])
    assert meta[1] == [page for m in metas for page in m[1]], "every page once, under its own fragment"
    assert {p for p in merged if p.startswith("fragment/")} == {
        p for s in shards for p in s if p.startswith("fragment/")
    }
    union: dict = {}
    for shard, m in zip(shards, metas, strict=True):
        for word, found in _postings(shard, m).items():
            union[word] = sorted(union.get(word, []) + found)
    assert _postings(merged, meta) == union
    both: dict = {}
    for shard, m in zip(shards, metas, strict=True):
        for name, values in _filters(shard, m).items():
            for value, found in values.items():
                both.setdefault(name, {})[value] = sorted(both.get(name, {}).get(value, []) + found)
    assert _filters(merged, meta) == both
    (name, order), updated = meta[4][0], {}
    for shard in shards:
        for path in [p for p in shard if p.startswith("fragment/")]:
            fragment = json.loads(_gzip(shard[path])[len(b"pagefind_dcd") :])
            updated[path.split("/")[1].split(".")[0]] = fragment["meta"]["updated"]
    dates = [updated[meta[1][p][0]] for p in order]
    assert name == "updated" and dates == sorted(dates) and len(order) == records
    words = [w for _f, _t, name in meta[2] for w, *_r in _unpack(merged[f"index/{name}.pf_index"])[0]]
    assert words == sorted(words) and len(words) == len(set(words))
    assert len(meta[2]) > 5
    for (_f, to, _n), (start, _t, _m) in zip(meta[2], meta[2][1:], strict=False):
        assert to < start, "chunk bounds as Pagefind writes them: each query word finds its one chunk"


def _gzip(data):
    import gzip

    return gzip.decompress(data)


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
