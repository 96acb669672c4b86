"""Index stage: Pagefind fed in memory, its output canonical, in shards for large regions."""

from __future__ import annotations

import json
import re

import pytest
from conftest import fast_config, load_directory, make_tree

from tsunagu.domain.paths import is_record_page
from tsunagu.render.pages import render_site
from tsunagu.search import bundle, index, output
from tsunagu.search.index import compact_record, index_pages, index_record, is_runtime, without_index_block
from tsunagu.search.output import META, STATUS_FILTER_NAMES, pack_bundle, read_bundle, sealed_together


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


def test_each_fragment_is_plain_json_with_its_records_card_metadata_under_the_records_name(pages):
    # Pagefind's runtime takes a fragment's plain bytes as they are (the seal deflates them): no gzip to undo.
    files = index_pages(pages)
    fragments = {p: b for p, b in files.items() if p.endswith(".pf_fragment")}
    assert len(fragments) == sum(map(is_record_page, pages))
    for path, data in fragments.items():
        assert data.startswith(b"pagefind_dcd{")
        doc = json.loads(data.removeprefix(b"pagefind_dcd"))
        assert path == f"pagefind/fragment/zz_{doc['url'].rsplit('/', 1)[-1].removesuffix('.html')}.pf_fragment"
        card = re.search(rb"<template data-card-meta>(.*?)</template>", pages[doc["url"].lstrip("/")]).group(1)
        assert doc["meta"]["updated"] == json.loads(card)["updated"] and list(doc["meta"]) == sorted(doc["meta"])
        assert doc["meta"]["title"] and doc["content"]


def test_only_the_top_level_metadata_of_a_fragment_is_rewritten():
    text = (
        '{"url":"/r/k3j2.html","content":"a ,\\"meta\\":{ b","word_count":2,'
        '"filters":{"area":["x"],"meta":["y"]},"meta":{"title":"さくら","area":"x"},"anchors":[]}'
    )
    url, out = output._with_card(text, {"/r/k3j2.html": {"updated": "2026-11-01"}})
    assert url == "/r/k3j2.html"
    assert out == text.replace(
        '"meta":{"title":"さくら","area":"x"}', '"meta":{"area":"x","title":"さくら","updated":"2026-11-01"}'
    )
    assert json.loads(out) == {**json.loads(text), "meta": {"area": "x", "title": "さくら", "updated": "2026-11-01"}}


def test_pagefind_output_is_the_same_every_run(pages):
    assert index_pages(pages) == index_pages(pages)


def _unpack(data):
    import gzip

    import cbor2

    return cbor2.loads(gzip.decompress(data)[len(b"pagefind_dcd") :])


def test_large_regions_are_indexed_in_shards(pages, monkeypatch):
    monkeypatch.setattr(index, "SHARD", 2)
    monkeypatch.setattr(bundle, "TARGET", 600)  # many bundles of the demo's few words
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
    alone = index_pages(pages)
    assert json.loads(alone["pagefind/shards.json"]) == []
    assert not any(p.startswith("pagefind/bundle/") for p in alone), "one index: Pagefind's own chunks"


def test_the_shards_index_chunks_are_cut_at_the_same_words_and_bundled(pages, monkeypatch):
    # Chunk K of every shard is one file: a query word costs one fetch, not one per shard.
    monkeypatch.setattr(index, "SHARD", 2)
    monkeypatch.setattr(bundle, "TARGET", 600)
    files = index_pages(pages)
    folders = ["", *json.loads(files["pagefind/shards.json"])]
    assert not any("/index/" in p for p in files), "no shard keeps chunks of its own"
    bundles = {
        p.rsplit("/", 1)[1]: read_bundle(b)
        for p, b in files.items()
        if p.startswith("pagefind/bundle/") and p.endswith(".pf_index")
    }
    assert len(bundles) > 5 and all(len(chunks) == len(folders) for chunks in bundles.values())
    metas = [_unpack(meta) for meta in read_bundle(files[f"pagefind/bundle/{META}"])]
    assert len(metas) == len(folders)
    assert all(meta[2] == metas[0][2] for meta in metas), "every shard lists the same chunks and bounds"
    assert [f"{name}.pf_index" for _f, _t, name in metas[0][2]] == sorted(bundles)
    for (_f, to, _n), (start, _t, _m) in zip(metas[0][2], metas[0][2][1:], strict=False):
        assert to < start, "bounds as Pagefind writes them: a query word finds its one chunk"
    # Each shard's words, from its chunks in the bundles, are the words its own Pagefind wrote.
    documents = [compact_record(p, b) for p, b in sorted(pages.items()) if is_record_page(p)]
    count = len(folders)
    for number in range(count):
        own = index._shard(documents[number * len(documents) // count : (number + 1) * len(documents) // count])
        written = [w for _f, _t, name in _unpack(own[META])[2] for w in _unpack(own[f"index/{name}.pf_index"])[0]]
        bundled = [w for _f, _t, name in metas[0][2] for w in _unpack(bundles[f"{name}.pf_index"][number])[0]]
        assert bundled == written
        words = [w[0] for w in bundled]
        assert words == sorted(words) and len(set(words)) == len(words)
        for start, to, name in metas[0][2]:
            assert all(start <= w[0] and w[0][: len(to)] <= to for w in _unpack(bundles[f"{name}.pf_index"][number])[0])
    assert read_bundle(pack_bundle([b"ab", b"", b"c"])) == [b"ab", b"", b"c"]
    for bad in (b"", b"\0\0\0\2\0\0\0\1", pack_bundle([b"ab"]) + b"x"):
        with pytest.raises(ValueError, match="bad bundle"):
            read_bundle(bad)


def test_a_chunk_is_cut_into_its_words_exactly_where_decoding_would_cut_it():
    # The chunks are cut by their entries' starts without decoding them (bundle._scanned); a shape it does not know
    # is decoded entry by entry, and the count in the chunk's head tells a start seen inside an entry.
    import gzip

    import cbor2

    known = [
        ["a", [[1, [2, 300, -241, 70_000], []]], []],
        ["b" * 30, [[70_000, [], [-4, 0]], [2, [5], []]], [["bb", [[1, [2], []]]]]],  # a variant: a text inside
        ["日本", [[2**33, [-(2**20)], []]], []],
    ]
    inside = [*known, ["c", [[1, [2], []]], [["x", 1, 2]]]]  # an array of three, then a text, inside an entry
    for words in (known, inside, [*known, ["d", [[1.5, [], []]], []]]):
        chunk = gzip.compress(b"pagefind_dcd" + cbor2.dumps([words]), mtime=0)
        assert bundle._items(chunk) == [(w[0], cbor2.dumps(w)) for w in words]
    assert bundle._scanned(b"pagefind_dcd" + cbor2.dumps([known])) == [(w[0], cbor2.dumps(w)) for w in known]
    with pytest.raises(ValueError, match="an entry's start inside another"):
        bundle._scanned(b"pagefind_dcd" + cbor2.dumps([inside]))


def test_every_shards_filter_and_meta_files_are_one_bundle_each(pages, monkeypatch):
    # What every status edit re-seals (output.sealed_together): one file each for the whole region, not one per
    # shard, so an edit changes as many files at 10,000 records as at 600.
    monkeypatch.setattr(index, "SHARD", 2)
    files = index_pages(pages)
    count = 1 + len(json.loads(files["pagefind/shards.json"]))
    assert count > 2
    assert not any(p.endswith((".pf_filter", ".pf_meta")) and not p.startswith("pagefind/bundle/") for p in files)
    filters = {p: read_bundle(b) for p, b in files.items() if p.endswith(".pf_filter")}
    assert filters and all(len(pieces) == count for pieces in filters.values())
    for path, pieces in filters.items():
        names = {_unpack(piece)[0] for piece in pieces if piece}
        assert len(names) == 1, (path, names)  # the same filter in every shard that has it (named after its key)
    together = sealed_together(files)
    assert f"pagefind/bundle/{META}" in together
    assert {_unpack(next(x for x in filters[p] if x))[0] for p in together if p in filters} == STATUS_FILTER_NAMES


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
