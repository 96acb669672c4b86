"""Index stage: Pagefind over the record pages, fed in memory through its Python API (nothing on disk).

Pagefind names its index and fragment files by a hash of their plaintext; those names only ever
become logical paths inside the encrypted manifest. Only its generic runtime (JS, wasm) is public.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tsunagu.domain.errors import BuildError
from tsunagu.domain.paths import INDEX_DIR, is_record_page
from tsunagu.seal import wire
from tsunagu.search.bundle import bundle, bundle_files
from tsunagu.search.output import canonical

SearchRecord = dict[str, Any]  # one page, as Pagefind's AddFile takes it
CompactRecord = tuple[str, bytes]  # (record page path, its search block deflated): see compact_record
# Pagefind runtime files that hold no data (plus its wasm, *.pagefind); the rest is the index.
RUNTIME = ("pagefind.js", "pagefind-worker.js")
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
BODY_START = b"<div hidden data-pagefind-body>"
BODY_END = b"</div><!-- /pagefind-body -->"
# What a search card shows but nobody searches (templates/_search_data.html): JSON that Pagefind never reads, since
# it indexes every metadata value as words; it goes into the record's own fragment after the index is built.
CARD_META = re.compile(r"<template data-card-meta>(.*?)</template>", re.S)  # JSON: no "<" (Jinja's tojson)
SHARD = 6_000  # records per Pagefind process
# Above three shards, one Pagefind process at a time holds about 115 kB a record (real open data) beside
# the build's own memory, which is small by then (pipeline/forked.py): 6,000 keeps the eastern half of the
# open data within 1.0 GB, and fewer shards are fewer index fetches per query (4,000 made 6 at 23,000 records).
SEQUENTIAL_SHARD = 6_000
BATCH = 32  # requests in flight: their replies must fit in the pipe, or both sides wait forever


def is_runtime(name: str) -> bool:
    """True for Pagefind's generic runtime files, which may stay public."""
    base = name.rsplit("/", 1)[-1]
    return base in RUNTIME or base.endswith(".pagefind")


def index_document(page: bytes) -> bytes:
    """Only the part of a record page that Pagefind reads (templates/_search_data.html).

    Parsing whole pages took Pagefind three times as long for the same index.
    """
    start, end = page.find(BODY_START), page.find(BODY_END)
    if start < 0 or end < start:
        return page
    return (
        b'<!doctype html><html lang="ja"><head><meta charset="utf-8"></head><body>'
        + page[start : end + len(BODY_END)]
        + b"</body></html>"
    )


def index_record(path: str, page: bytes) -> SearchRecord:
    """A record page's search block (templates/_search_data.html) as a request to Pagefind's service.

    Only the block is sent (a tiny HTML document; parsing whole pages took Pagefind three times as
    long), as HTML so that Pagefind keeps the weights of its token blocks (data-pagefind-weight).
    """
    return request(compact_record(path, page))


def compact_record(path: str, page: bytes) -> CompactRecord:
    """What the build keeps of a record page until the index: its path and search block, deflated.

    As a str, a block with Japanese text takes 2 bytes a character; deflated, a seventh of that: at 60,000
    records, the difference is hundreds of MB held through the render.
    """
    return path, zlib.compress(index_document(page), 1)


def request(record: CompactRecord, card: dict[str, dict[str, str]] | None = None) -> SearchRecord:
    """A compact record as the AddFile request Pagefind's service takes, without its card metadata (collected
    into card by URL, if given)."""
    url, document = "/" + record[0], zlib.decompress(record[1]).decode()
    if card is not None:
        card[url] = {k: v for m in CARD_META.findall(document) for k, v in json.loads(m).items()}
    return {"type": "AddFile", "url": url, "file_contents": CARD_META.sub("", document), "file_path": None}


def without_index_block(page: bytes) -> bytes:
    """A record page without its hidden search block: once indexed, readers never need its tokens."""
    start, end = page.find(BODY_START), page.find(BODY_END)
    if start < 0 or end < start:
        return page
    return page[:start] + page[end + len(BODY_END) :]


class _Service:
    """Pagefind's service protocol (the one its Python API speaks), without that client's 0.1 s poll per reply."""

    def __init__(self) -> None:
        from pagefind.service import get_executable

        binary = get_executable()
        if binary is None:
            raise BuildError("search index: the Pagefind binary is missing (pip install 'pagefind[extended]')")
        self.proc = subprocess.Popen(
            [str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.buffer = b""
        self.next_id = 0

    def send(self, payload: dict[str, Any]) -> int:
        self.next_id += 1
        message = json.dumps({"message_id": self.next_id, "payload": payload}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(base64.b64encode(message) + b",")
        return self.next_id

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        end = self.buffer.find(b",")
        if end < 0:
            parts = [self.buffer]  # a reply can be tens of MB: collect chunks, never re-copy the whole
            while True:
                chunk = self.proc.stdout.read1(1 << 20)  # type: ignore[attr-defined]  # a BufferedReader
                if not chunk:
                    raise BuildError("search index: Pagefind stopped unexpectedly")
                parts.append(chunk)
                if b"," in chunk:
                    break
            self.buffer = b"".join(parts)
            end = self.buffer.find(b",")
        raw, self.buffer = self.buffer[:end], self.buffer[end + 1 :]
        reply = json.loads(base64.b64decode(raw))
        payload = reply.get("payload") or {}
        if payload.get("type") == "Error":
            raise BuildError(f"search index: Pagefind failed: {payload.get('message')}")
        return payload

    def call(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.send(payload)
        assert self.proc.stdin is not None
        self.proc.stdin.flush()
        return self.receive()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.kill()
        self.proc.wait()


def _run(documents: list[CompactRecord], card: dict[str, dict[str, str]]) -> tuple[int, list[dict[str, Any]]]:
    service = _Service()
    try:
        # The index holds ASCII n-gram tokens (see textsearch.py), so no language's segmenter or
        # stemmer should touch it: "zz" is no language Pagefind knows, and it leaves words as they are.
        index_id = service.call({"type": "NewIndex", "config": {"force_language": "zz"}})["index_id"]
        count = 0
        for start in range(0, len(documents), BATCH):  # a batch in flight, so the pipes never fill up
            batch = documents[start : start + BATCH]
            for record in batch:
                service.send({**request(record, card), "index_id": index_id})
            assert service.proc.stdin is not None
            service.proc.stdin.flush()
            count += sum(service.receive().get("type") == "IndexedFile" for _ in batch)
        files = service.call({"type": "GetFiles", "index_id": index_id})["files"]
        return count, [{"path": f["path"], "content": base64.b64decode(f["content"])} for f in files]
    finally:
        service.close()


def index_pages(pages: dict[str, bytes], workers: int = 2) -> dict[str, bytes]:
    """Pagefind's output for the record pages of a rendered site, as 'pagefind/<name>' -> bytes."""
    return index_records([compact_record(p, b) for p, b in sorted(pages.items()) if is_record_page(p)], workers)


def _shard(documents: list[CompactRecord]) -> dict[str, bytes]:
    card: dict[str, dict[str, str]] = {}
    try:
        count, files = _run(documents, card)
    except (OSError, ValueError, KeyError) as exc:
        raise BuildError(f"search index: Pagefind failed: {exc}") from exc
    if count != len(documents):
        raise BuildError(f"search index: Pagefind indexed {count} of {len(documents)} record pages")
    out = {}
    for file in files:
        rel = str(file["path"]).replace("\\", "/").lstrip("/")
        if not rel.rsplit("/", 1)[-1].startswith(UNUSED):
            out[rel] = bytes(file["content"])
    return canonical(out, card)


def shard_count(records: int) -> int:
    """How many shards: as few as memory allows, since the browser fetches and searches each one.

    Two shards of up to 1.25 × SHARD records each (indexed side by side: 13,000 records make two
    shards, not three); above that, shards of SHARD records, and above 3 × SHARD (indexed one at a time)
    of SEQUENTIAL_SHARD. Never machine-dependent (reproducible).
    """
    if SHARD < records <= 2 * (SHARD * 5 // 4):
        return 2
    if records > 3 * SHARD:
        return -(-records // min(SHARD, SEQUENTIAL_SHARD))
    return max(1, -(-records // SHARD))


def index_records(documents: list[CompactRecord], workers: int = 2) -> dict[str, bytes]:
    """Pagefind's output for records (compact_record), as 'pagefind/<name>' -> bytes; the list is emptied.

    Pagefind holds about 75 kB per record while it indexes: above SHARD (6,000) records the index is cut
    into shards (shard_count) of equal size (by page name, a keyed hash: no order anyone can see), indexed by
    separate Pagefind processes, two at a time (both cores) up to three shards, one at a time above
    (memory), and merged in the browser (pagefind/shards.json lists them for search.js). The shards' index
    chunks are cut at the same words and bundled (bundle.py): a query word costs one file, not one per shard.
    """
    total = len(documents)
    count = shard_count(total)
    shards = [documents[i * total // count : (i + 1) * total // count] for i in range(count)]
    documents.clear()

    def one(number: int) -> dict[str, bytes]:
        files = _shard(shards[number])
        shards[number] = []  # fed and dropped: a shard's records go once Pagefind has them
        return files

    parallel = max(1, min(workers, 2 if total <= 3 * SHARD else 1))
    with ThreadPoolExecutor(max_workers=parallel) as pool:  # each thread drives its own Pagefind process
        results = list(pool.map(one, range(count)))
    bundles = {**bundle(results, workers), **bundle_files(results)} if count > 1 else {}
    out = {f"{INDEX_DIR}{rel}": data for rel, data in results[0].items()}
    for number, files in enumerate(results[1:], start=1):
        out.update({f"{INDEX_DIR}s{number}/{rel}": data for rel, data in files.items() if not is_runtime(rel)})
    out.update({f"{wire.BUNDLE_DIR}{name}": data for name, data in bundles.items()})
    out[f"{INDEX_DIR}shards.json"] = json.dumps([f"s{n}/" for n in range(1, count)]).encode()
    return dict(sorted(out.items()))
