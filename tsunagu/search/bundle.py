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
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import cbor2

from tsunagu.domain.errors import BuildError
from tsunagu.search.output import GZIP, META, SIGNATURE, pack, pack_bundle, unpack

# A bundle ends after a word whose hash is 0 mod CUT once it holds TARGET / 2 bytes of CBOR, and always at
# 2 × TARGET: cuts that depend on the words around them (an edit renames few bundles). TARGET keeps about as many
# bundles as the shards had chunks or fewer (files count: packs.FILE_BUDGET): at 40,000 records about 580 of
# 29 kB (7 shards had 751 chunks of 22 kB).
TARGET = 128 * 1024
CUT = 16


# The CBOR tokens of a word's entry after its word, up to a text or the next entry: integers and arrays' heads, but
# not an array of three followed by a text (the next entry's start). Texts inside an entry (a word's variants) stop
# the match and are skipped in Python. Written as runs of one-byte tokens between longer ones: a third faster.
ONE_BYTE = rb"[\x00-\x17\x20-\x37\x80-\x82\x84-\x97]*"
LONGER = rb"\x83(?![\x60-\x7b])|[\x18\x38\x98].|[\x19\x39\x99]..|[\x1a\x3a\x9a]....|[\x1b\x3b\x9b].{8}"
TOKENS = re.compile(ONE_BYTE + rb"(?:(?:" + LONGER + rb")" + ONE_BYTE + rb")*", re.S)


def _items(data: bytes) -> list[tuple[str, bytes]]:
    """(word, its CBOR bytes) of each word of a chunk, found without decoding the chunk whole."""
    raw = zlib.decompress(data, GZIP)
    if not raw.startswith(SIGNATURE):
        raise BuildError("search index: unexpected Pagefind file format")
    try:
        return _scanned(raw)
    except (ValueError, IndexError):  # a shape _scanned does not know: each entry decoded
        return list(_decoded(raw))


def _scanned(raw: bytes) -> list[tuple[str, bytes]]:
    """The entries of a chunk cut where each starts (TOKENS), without building them: a third of decoding's time.

    Every entry's start is found (the tokens are read in order from the first, so a start is never missed or seen
    in an integer's bytes); the count in the chunk's head rules out a start seen inside an entry."""
    stream = io.BytesIO(raw)
    stream.seek(len(SIGNATURE))
    if stream.read(1) != b"\x81":  # [words]: an array of one
        raise BuildError("search index: unexpected Pagefind chunk")
    count, at, end, out = _array_length(stream), stream.tell(), len(raw), []
    while at < end:
        if raw[at] != 0x83:
            raise ValueError("not an entry")
        start, length = _text(raw, at + 1)
        stop = TOKENS.match(raw, start + length).end()  # type: ignore[union-attr]  # matches the empty string
        while stop < end and not (raw[stop] == 0x83 and 0x60 <= raw[stop + 1] <= 0x7B):
            inner, size = _text(raw, stop)
            stop = TOKENS.match(raw, inner + size).end()  # type: ignore[union-attr]
        out.append((raw[start : start + length].decode(), raw[at:stop]))
        at = stop
    if len(out) != count:
        raise ValueError("an entry's start inside another")
    return out


def _text(raw: bytes, at: int) -> tuple[int, int]:
    """Where the text whose head is at `at` starts, and its length (ValueError if no text is there)."""
    head = raw[at]
    if 0x60 <= head < 0x78:
        return at + 1, head - 0x60
    size = {0x78: 1, 0x79: 2, 0x7A: 4}.get(head)
    if size is None:
        raise ValueError("not a text")
    return at + 1 + size, int.from_bytes(raw[at + 1 : at + 1 + size], "big")


def _decoded(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """(word, its CBOR bytes) of each word of a chunk, each word decoded."""
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


def bundle(shards: list[dict[str, bytes]], workers: int = 1) -> dict[str, bytes]:
    """The bundles (BUNDLE_DIR + chunk name -> bytes); each shard's chunks are taken out of its files and its
    meta file lists the shared chunks instead."""
    held: list[list[bytes]] = [[] for _ in shards]
    rows: list[list[str]] = []
    out: dict[str, Future[bytes]] = {}
    waiting: deque[Future[bytes]] = deque()
    first = last = ""
    size, cut = 0, False
    streams = [_words(files, number) for number, files in enumerate(shards)]
    # gzip releases the GIL: the bundles are compressed on the other cores while the words are merged, a few at a
    # time (their words are held until then).
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for word, number, item in heapq.merge(*streams):  # (word, shard): a word of several shards in shard order
            if cut and word != last:  # a word of several shards stays in one bundle
                held = _flush(held, rows, out, first, last, pool)
                waiting.append(out[f"{rows[-1][2]}.pf_index"])
                if len(waiting) > 2 * workers:
                    waiting.popleft().result()
                size, cut = 0, False
            if not size:
                first = word
            held[number].append(item)
            size += len(item)
            last = word
            cut = cut or _ends(word, size)
        if size:
            _flush(held, rows, out, first, last, pool)
        bundles = {name: job.result() for name, job in out.items()}
    for left, right in zip(rows, rows[1:], strict=False):
        left[1], right[0] = _prefixes(left[1], right[0])
    for files in shards:
        meta = unpack(files[META])
        meta[2] = [list(row) for row in rows]
        files[META] = pack(meta)
    return bundles


# What every edit of a record re-seals in each shard (search.output.sealed_together): its filter files and meta file.
SHARED = re.compile(r"^(?:filter/zz_f[0-9]+\.pf_filter|pagefind\.zz_m[0-9]+\.pf_meta)$")


def bundle_files(shards: list[dict[str, bytes]]) -> dict[str, bytes]:
    """Each filter file, and the meta file, of every shard as one bundle (name -> bytes), taken out of the shards'
    files: one file for an edit to re-seal, not one per shard; a shard without the file has an empty one."""
    names = sorted({rel for files in shards for rel in files if SHARED.match(rel)})
    return {rel.rsplit("/", 1)[-1]: pack_bundle([files.pop(rel, b"") for files in shards]) for rel in names}


def _flush(
    held: list[list[bytes]], rows: list[list[str]], out: dict[str, Future[bytes]], first: str, last: str, pool: Executor
) -> list[list[bytes]]:
    """The held words of every shard sent to be one bundle; new lists to hold the next bundle's words."""
    name = f"zz_i{len(rows):04d}"
    out[f"{name}.pf_index"] = pool.submit(_bundled, held)
    rows.append([first, last, name])
    return [[] for _ in held]


def _bundled(held: list[list[bytes]]) -> bytes:
    return pack_bundle([_chunk(items) for items in held])
