"""Pagefind's shards merged into one index: a query word costs the browser one index chunk, not one per shard.

A large region is indexed in shards (index.py: Pagefind's memory grows with the records it holds), and each
shard's output is a whole Pagefind index. Searching them as merged indexes fetches, decrypts and parses one
chunk of every shard for every query word. Here their files become one index, as Pagefind would have
written it for all the records at once: pages numbered one after another, each word's pages joined, the
filters' and sorts' page lists joined, and the words cut into chunks again. The format is Pagefind 1.5's
(gzip, a signature, CBOR; tests/search/test_index.py checks a merge against its shards and the browser
test searches one). Read one chunk at a time, so
the merge holds a few chunks, never the whole index.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
from collections.abc import Iterator
from typing import Any

from tsunagu.domain.errors import BuildError
from tsunagu.search.output import META, SIGNATURE, _pack, _unpack

ENTRY = "pagefind-entry.json"
# Locations (plus one per page) in a chunk, as Pagefind counts them, which cuts at 20,000: as many chunks as the
# shards had (files count: packs.FILE_BUDGET; 40,000 records make about 590), each one fetched for every query word.
CHUNK = 20_000
# A chunk ends after a word whose hash is 0 mod CUT once it holds CHUNK / 2, and always at 2 × CHUNK: the cuts
# depend on the words around them, not on everything before, so an edit renames few chunks.
CUT = 16


def _words(files: dict[str, bytes], meta: list[Any], offset: int) -> Iterator[list[Any]]:
    """One shard's words in order, [word, pages, variants], a chunk at a time, page numbers moved by offset.

    A word's pages hold [page number, locations, ...]; the numbers after the first count from the one before
    (Pagefind writes each as the difference), so only the first moves. A variant is [form, pages]: the word as
    written where it had marks Pagefind folds (デイ is found as テイ), its pages numbered the same way.
    """
    for chunk in meta[2]:
        doc = _unpack(files.pop(f"index/{chunk[2]}.pf_index"))
        for word in doc[0]:
            if len(word) != 3:
                raise BuildError(f"search index: Pagefind word {word[0]!r} has data the merge does not know")
            for pages in [word[1], *(variant[1] for variant in word[2])]:
                if pages:
                    pages[0][0] += offset
            yield word


def _join(into: list[Any], pages: list[Any]) -> None:
    """A later shard's pages after a word's pages so far: its first number then counts from their last."""
    if pages and into:
        pages[0][0] -= sum(page[0] for page in into)
    into.extend(pages)


def _joined(shards: list[dict[str, bytes]], metas: list[list[Any]], offsets: list[int]) -> Iterator[list[Any]]:
    """Every word once, in Pagefind's order (code points), with the pages of every shard that has it."""
    streams = [_words(files, meta, offset) for files, meta, offset in zip(shards, metas, offsets, strict=True)]
    current: list[Any] | None = None
    for word in heapq.merge(*streams, key=lambda w: w[0]):
        if current is None or current[0] != word[0]:
            if current is not None:
                yield current
            current = word
            continue
        _join(current[1], word[1])
        forms = {variant[0]: variant[1] for variant in current[2]}
        for form, pages in word[2]:
            if form in forms:
                _join(forms[form], pages)
            else:
                current[2].append([form, pages])
                forms[form] = pages
    if current is not None:
        yield current


def _ends_chunk(word: str, size: int) -> bool:
    if size >= 2 * CHUNK:
        return True
    return size >= CHUNK // 2 and hashlib.sha256(word.encode()).digest()[0] % CUT == 0


def _prefixes(last: str, first: str) -> tuple[str, str]:
    """The bounds Pagefind writes between two chunks: the shortest prefixes that tell them apart."""
    common = 0
    for a, b in zip(first, last, strict=False):
        if a != b:
            break
        common += 1
    return last[: common + 1], first[: common + 1]


def _chunks(words: Iterator[list[Any]], out: dict[str, bytes]) -> list[list[str]]:
    """The words cut into chunk files (index/zz_iNNNN.pf_index); the meta file's [from, to, name] of each."""
    rows: list[list[str]] = []
    chunk: list[list[Any]] = []
    size = 0

    def flush() -> None:
        name = f"zz_i{len(rows):04d}"
        out[f"index/{name}.pf_index"] = _pack([chunk])
        rows.append([chunk[0][0], chunk[-1][0], name])

    for word in words:
        chunk.append(word)
        size += sum(len(page[1]) + 1 for pages in [word[1], *(v[1] for v in word[2])] for page in pages)
        if _ends_chunk(word[0], size):
            flush()
            chunk, size = [], 0
    if chunk:
        flush()
    for left, right in zip(rows, rows[1:], strict=False):
        left[1], right[0] = _prefixes(left[1], right[0])
    return rows


def _filters(shards: list[dict[str, bytes]], metas: list[list[Any]], offsets: list[int], out: dict[str, bytes]):
    """Each filter's values with the pages of every shard; the meta file's [name, file] rows."""
    values: dict[str, dict[str, list[int]]] = {}
    for files, meta, offset in zip(shards, metas, offsets, strict=True):
        for name, stem in meta[3]:
            doc = _unpack(files.pop(f"filter/{stem}.pf_filter"))
            into = values.setdefault(name, {})
            for value, pages in doc[1]:
                into.setdefault(value, []).extend(p + offset for p in pages)
    rows = []
    for number, name in enumerate(sorted(values)):
        stem = f"zz_f{number:03d}"
        out[f"filter/{stem}.pf_filter"] = _pack([name, sorted(([v, p] for v, p in values[name].items()), key=_first)])
        rows.append([name, stem])
    return rows


def _first(entry: list[Any]) -> str:
    return str(entry[0])


def _sorts(shards: list[dict[str, bytes]], metas: list[list[Any]], offsets: list[int]) -> list[list[Any]]:
    """Each sort's pages in order: the shards' orders merged by the value, read from the page's meta of that name."""
    names = sorted({name for meta in metas for name, _pages in meta[4]})
    out = []
    for name in names:
        streams = []
        for files, meta, offset in zip(shards, metas, offsets, strict=True):
            order = dict((n, p) for n, p in meta[4]).get(name, [])
            keys = [_meta_value(files, meta[1][page][0], name) for page in order]
            streams.append(list(zip(keys, (p + offset for p in order), strict=True)))
        out.append([name, [page for _key, page in heapq.merge(*streams, key=lambda e: e[0])]])
    return out


def _meta_value(files: dict[str, bytes], stem: str, name: str) -> str:
    fragment = json.loads(gzip.decompress(files[f"fragment/{stem}.pf_fragment"])[len(SIGNATURE) :])
    value = fragment.get("meta", {}).get(name)
    if value is None:
        raise BuildError(f"search index: sort {name!r} has no meta value of that name to merge by")
    return value


def merge(shards: list[dict[str, bytes]]) -> dict[str, bytes]:
    """One Pagefind index from the canonical outputs of several (output.canonical), each relative to its own
    folder; the shards' dicts are emptied. Runtime files come from the first."""
    metas = [_unpack(files[META]) for files in shards]
    if len({meta[0] for meta in metas}) != 1:
        raise BuildError("search index: shards of different Pagefind versions")
    offsets = [sum(len(meta[1]) for meta in metas[:n]) for n in range(len(metas))]
    out: dict[str, bytes] = {}
    sorts = _sorts(shards, metas, offsets)
    filters = _filters(shards, metas, offsets, out)
    chunks = _chunks(_joined(shards, metas, offsets), out)
    pages = [page for meta in metas for page in meta[1]]
    fields = sorted({field for meta in metas for field in meta[5]})
    out[META] = _pack([metas[0][0], pages, chunks, filters, sorts, fields, *metas[0][6:]])
    entry = json.loads(shards[0][ENTRY])
    for language in entry["languages"].values():
        language["page_count"] = len(pages)
    out[ENTRY] = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()
    for files in shards:
        for path in [p for p in files if p.startswith("fragment/")]:
            out[path] = files.pop(path)
    out.update({p: b for p, b in shards[0].items() if p not in (META, ENTRY)})
    for files in shards:
        files.clear()
    return dict(sorted(out.items()))
