"""A large region's shards cut into index chunks at the same words, each chunk of every shard sealed as one file.

A large region is indexed in shards (index.py: Pagefind's memory grows with the records it holds) and searched
as merged indexes. Each shard's Pagefind cut its words into chunks of its own, so a query word fetched, checked
and decrypted one chunk of every shard. Here every shard's words are cut at the same words, and chunk K of every
shard goes into one bundle, pagefind/bundle/zz_iK.pf_index (wire.BUNDLE_DIR): the service worker fetches the bundle
once and answers each shard's request for its chunk K from it. The shards themselves stay (Pagefind's search
scans, for each result page, every matching word's page list: one index of N records costs about N², k shards
k·(N/k)²), and so do their pages, filters and fragments; only the chunks move.

A bundle is wire.BUNDLE_MAGIC ‖ count (u32) ‖ count × length (u32) ‖ the shards' chunks, in shard order (the
root index first).
The format read here is Pagefind 1.5's (gzip, a signature, CBOR: a chunk is [[word, ...]]).
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import io
import re
from collections.abc import Iterator

import cbor2

from tsunagu.domain.errors import BuildError
from tsunagu.search.output import META, SIGNATURE, pack, pack_bundle, unpack

# A bundle ends after a word whose hash is 0 mod CUT once it holds TARGET / 2 bytes of CBOR, and always at
# 2 × TARGET: cuts that depend on the words around them (an edit renames few bundles). TARGET keeps about as many
# bundles as the shards had chunks or fewer (files count: packs.FILE_BUDGET): at 40,000 records about 580 of
# 29 kB (7 shards had 751 chunks of 22 kB).
TARGET = 128 * 1024
CUT = 16


def _items(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(word, its CBOR bytes) of each word of a chunk, found without decoding the chunk whole."""
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise BuildError("search index: unexpected Pagefind file format")
    stream = io.BytesIO(raw[len(SIGNATURE) :])
    decoder = cbor2.CBORDecoder(stream)
    if stream.read(1) != b"\x81":  # [words]: an array of one
        raise BuildError("search index: unexpected Pagefind chunk")
    count = _array_length(stream)
    for _ in range(count):
        start = stream.tell()
        word = decoder.decode()
        if not isinstance(word, list) or not word or not isinstance(word[0], str):
            raise BuildError("search index: unexpected Pagefind word")
        end = stream.tell()
        yield word[0], stream.getbuffer()[start:end].tobytes()


def _array_length(stream: io.BytesIO) -> int:
    head = stream.read(1)[0]
    if head >> 5 != 4:
        raise BuildError("search index: unexpected Pagefind chunk")
    info = head & 31
    if info < 24:
        return info
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise BuildError("search index: unexpected Pagefind chunk")
    return int.from_bytes(stream.read(size), "big")


def _array_head(count: int) -> bytes:
    if count < 24:
        return bytes([0x80 | count])
    for info, size in ((24, 1), (25, 2), (26, 4)):
        if count < 1 << (8 * size):
            return bytes([0x80 | info]) + count.to_bytes(size, "big")
    return b"\x9b" + count.to_bytes(8, "big")


def _chunk(items: list[bytes]) -> bytes:
    """A Pagefind chunk of these words (their CBOR bytes, in order)."""
    body = b"\x81" + _array_head(len(items)) + b"".join(items)
    return gzip.compress(SIGNATURE + body, compresslevel=6, mtime=0)


def _words(files: dict[str, bytes], number: int) -> Iterator[tuple[str, int, bytes]]:
    """One shard's (word, shard number, CBOR bytes) in order, a chunk at a time (each chunk dropped once read)."""
    for _from, _to, name in unpack(files[META])[2]:
        for word, item in _items(files.pop(f"index/{name}.pf_index")):
            yield word, number, item


def _ends(word: str, size: int) -> bool:
    if size >= 2 * TARGET:
        return True
    return size >= TARGET // 2 and hashlib.sha256(word.encode()).digest()[0] % CUT == 0


def _prefixes(last: str, first: str) -> tuple[str, str]:
    """The bounds Pagefind writes between two chunks: the shortest prefixes that tell them apart."""
    common = 0
    for a, b in zip(first, last, strict=False):
        if a != b:
            break
        common += 1
    return last[: common + 1], first[: common + 1]


def bundle(shards: list[dict[str, bytes]]) -> dict[str, bytes]:
    """The bundles (BUNDLE_DIR + chunk name -> bytes); each shard's chunks are taken out of its files and its
    meta file lists the shared chunks instead."""
    held: list[list[bytes]] = [[] for _ in shards]
    rows: list[list[str]] = []
    out: dict[str, bytes] = {}
    first = last = ""
    size, cut = 0, False
    streams = [_words(files, number) for number, files in enumerate(shards)]
    for word, number, item in heapq.merge(*streams, key=lambda w: w[0]):
        if cut and word != last:  # a word of several shards stays in one bundle
            _flush(held, rows, out, first, last)
            size, cut = 0, False
        if not size:
            first = word
        held[number].append(item)
        size += len(item)
        last = word
        cut = cut or _ends(word, size)
    if size:
        _flush(held, rows, out, first, last)
    for left, right in zip(rows, rows[1:], strict=False):
        left[1], right[0] = _prefixes(left[1], right[0])
    for files in shards:
        meta = unpack(files[META])
        meta[2] = [list(row) for row in rows]
        files[META] = pack(meta)
    return out


# What every edit of a record re-seals in each shard (search.output.sealed_together): its filter files and meta file.
SHARED = re.compile(r"^(?:filter/zz_f[0-9]+\.pf_filter|pagefind\.zz_m[0-9]+\.pf_meta)$")


def bundle_files(shards: list[dict[str, bytes]]) -> dict[str, bytes]:
    """Each filter file, and the meta file, of every shard as one bundle (name -> bytes), taken out of the shards'
    files: one file for an edit to re-seal, not one per shard; a shard without the file has an empty one."""
    names = sorted({rel for files in shards for rel in files if SHARED.match(rel)})
    return {rel.rsplit("/", 1)[-1]: pack_bundle([files.pop(rel, b"") for files in shards]) for rel in names}


def _flush(held: list[list[bytes]], rows: list[list[str]], out: dict[str, bytes], first: str, last: str) -> None:
    name = f"zz_i{len(rows):04d}"
    out[f"{name}.pf_index"] = pack_bundle([_chunk(items) for items in held])
    rows.append([first, last, name])
    for items in held:
        items.clear()
