"""Composites: shared files whose rows belong to records, laid out so that no part maps to an area or an order.

An area's list, the physicians' list, the status sheet, status.csv and records.json each hold one row (a card,
a table row, a line, an object) per record. Cut by position, the part an edit touched told a watcher of the
public site the record's area (its list) or its place in the order. Here each such file is sealed as a
skeleton (its own text, a marker where each record's row was) and every row goes to a store shared by the
files of its kind, in the part picked by a keyed hash of the record: the slot that picks its page's pack
(wire.py says the format). A status edit then changes one part of each store, whatever the record's area
or field, and the skeletons not at all. Each row stays a compression context of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from tsunagu.domain.errors import BuildError
from tsunagu.domain.paths import DATA_DIR
from tsunagu.seal import free, wire
from tsunagu.seal.dictionary import with_dictionary
from tsunagu.seal.encrypt import DEFLATE, DICTIONARY, deflate, entry_ad, frame, seal
from tsunagu.seal.keys import RootKeys
from tsunagu.seal.packs import slot_of

NUL = b"\0"
RECORDS, STATUS = f"{DATA_DIR}records.json", f"{DATA_DIR}status.csv"
# A record's card (lists) or row (status sheet): the element carrying data-stale-scope, up to its end.
ROW_START = re.compile(rb'<(li|tr) class="[^"]*" data-stale-scope[\s>]')
TAGS = {tag: re.compile(rb"<(/?)" + tag + rb"[\s>]") for tag in (b"li", b"tr")}  # a row's tag, opening or closing
OWNER = re.compile(rb'href="(?:\.\./)*(r/[a-z0-9]+\.html)"')
GLANCE = b'<table class="glance"'
GLANCE_STORE = f"{wire.ROWS_DIR}glance"
LIST = re.compile(r"providers/[0-9]+/index\.html")
DATA_STORES = (f"{wire.ROWS_DIR}csv", f"{wire.ROWS_DIR}records")  # rows of the data files (the rest: of pages)


def store_of(path: str) -> str | None:
    """The store of a composite file's rows (files of one store share it), or None for any other file."""
    if LIST.fullmatch(path):
        return f"{wire.ROWS_DIR}cards"  # every area's list: the same card, at the same depth
    return {
        "index.html": GLANCE_STORE,  # the counts per area and service: one row of no record
        "physicians/index.html": f"{wire.ROWS_DIR}physicians",
        "status/index.html": f"{wire.ROWS_DIR}sheet",
        STATUS: f"{wire.ROWS_DIR}csv",
        RECORDS: f"{wire.ROWS_DIR}records",
    }.get(path)


def is_store(path: str) -> bool:
    return path.startswith(wire.ROWS_DIR)


Span = tuple[int, int, str]  # start, end, the record page owning the row ("": none)


def _html_rows(data: bytes) -> list[Span]:
    """Each record's card or table row, up to the end tag that closes it."""
    spans, at = [], 0
    while match := ROW_START.search(data, at):
        depth, end = 0, -1
        # From the row's start in place: a slice of the rest would copy the page once per row (quadratic:
        # minutes for the list pages of 23,000 records).
        for m in TAGS[match.group(1)].finditer(data, match.start()):
            depth += -1 if m.group(1) else 1
            if depth == 0:
                end = m.end()
                break
        owner = OWNER.search(data, match.start(), end)
        if end < 0 or owner is None:
            raise BuildError(f"a row without its end or its record at byte {match.start()}")
        spans.append((match.start(), end, owner.group(1).decode()))
        at = end
    return spans


def _glance(data: bytes) -> list[Span]:
    """The home page's table of counts per area and service (no free text: one row, one context)."""
    start = data.find(GLANCE)
    end = data.find(b"</table>", start)
    return [] if start < 0 or end < 0 else [(start, end + len(b"</table>"), "")]


def _json_rows(data: bytes, records: list[dict[str, Any]]) -> list[Span]:
    """Each record's object in records.json (records: as read from data; render writes them with these separators)."""
    spans, at = [], 0
    for record in records:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        start = data.find(text, at)
        if start < 0:
            raise BuildError(f"{RECORDS}: a record not found as written")
        spans.append((start, start + len(text), record["path"]))
        at = start + len(text)
    return spans


def _csv_rows(data: bytes, providers: list[str]) -> list[Span]:
    """Each provider's line of status.csv: after the header, in records.json's order of providers (render.pages)."""
    lines = data.split(b"\r\n")
    if len(lines) != len(providers) + 2 or lines[-1]:
        raise BuildError(f"{STATUS}: {len(lines) - 2} rows for {len(providers)} providers")
    spans, at = [], len(lines[0]) + 2
    for line, owner in zip(lines[1:-1], providers, strict=True):
        spans.append((at, at + len(line) + 2, owner))
        at += len(line) + 2
    return spans


def bucket_count(records: int) -> int:
    """Parts of a store: a power of two with ROWS_PER_BUCKET records each or more, at most MAX_BUCKETS."""
    count = 1
    while count < wire.MAX_BUCKETS and records >= 2 * count * wire.ROWS_PER_BUCKET:
        count *= 2
    return count


def bucket_of(key: bytes, buckets: int) -> int:
    return int(key[:8], 16) % buckets


def _providers(records: list[dict[str, Any]]) -> list[str]:
    """The providers' paths in records.json's order: status.csv's rows, one a provider."""
    return [r["path"] for r in records if r["kind"] == "provider"]


def layout(shared: dict[str, bytes], group: bytes) -> tuple[dict[str, bytes], dict[str, dict[bytes, bytes]]]:
    """The composites' skeletons (path -> plaintext) and their stores (store path -> key -> row)."""
    owners: list[str] | None = None  # status.csv's rows' records, from records.json (read once: it sorts first)
    spans_of: dict[str, list[Span]] = {}
    for path in sorted(p for p in shared if store_of(p)):
        if NUL in shared[path]:
            raise BuildError(f"{path}: a NUL byte in a shared file")
        if path == RECORDS:
            records = json.loads(shared[path])["records"]  # not kept: at 60,000 records, a hundred MB of objects
            spans_of[path] = _json_rows(shared[path], records)
            owners = _providers(records)
            del records
        elif path == "index.html":
            spans_of[path] = _glance(shared[path])
        elif path == STATUS:
            if owners is None:
                owners = _providers(json.loads(shared.get(RECORDS) or b'{"records":[]}')["records"])
            spans_of[path] = _csv_rows(shared[path], owners)
        else:
            spans_of[path] = _html_rows(shared[path])
    skeletons: dict[str, bytes] = {}
    stores: dict[str, dict[bytes, bytes]] = {}
    slots: dict[str, bytes] = {}
    for path, spans in spans_of.items():
        store, data = str(store_of(path)), shared[path]
        rows = stores.setdefault(store, {})
        pieces, at = [NUL + store.encode() + NUL], 0
        for start, end, owner in spans:
            if owner not in slots:  # "": a row of no record (bucket 0)
                slot = slot_of(group, owner, 0) if owner else bytes(wire.ROW_KEY_BYTES)
                slots[owner] = slot[: wire.ROW_KEY_BYTES].hex().encode()
            count = 0
            while slots[owner] + b".%d" % count in rows:
                count += 1
            key = slots[owner] + b".%d" % count
            rows[key] = data[start:end]
            pieces += [data[at:start], NUL + key + NUL]
            at = end
        pieces.append(data[at:])
        skeletons[path] = b"".join(pieces)
    return skeletons, stores


def store_entries(
    store: str,
    rows: dict[bytes, bytes],
    keys: RootKeys,
    generation: bytes = b"",
    sections: Sequence[bytes] | None = None,
) -> list[tuple[int, int, bytes]]:
    """(part, parts, sealed blob) of a store: each row in the part of its key's bucket, in key order, each
    row (with its key) a compression context of its own, against the dictionary's section for its kind if
    given; sealed with a generation if given (pipeline.builder)."""
    owners = len({key.split(b".")[0] for key in rows})
    count = bucket_count(owners)
    parts: list[list[bytes]] = [[] for _ in range(count)]
    for key in sorted(rows):
        parts[bucket_of(key, count)].append(NUL + key + NUL + rows[key])
    number = wire.DICT_SECTIONS.index("data" if store in DATA_STORES else "sheet")

    def payload(units: list[bytes]) -> bytes:
        if sections:
            return frame(with_dictionary(units, number, sections[number], free.carver(store)), DICTIONARY)
        return frame(deflate(units, flush_each=True), DEFLATE)

    return [
        (i, count, seal(keys, entry_ad(store, i, count), payload(units), generation)) for i, units in enumerate(parts)
    ]


def assemble(skeleton: bytes, read_part: Callable[[str, int], tuple[int, bytes]]) -> bytes:
    """A composite's plaintext from its skeleton and the parts of its store it needs (read_part -> parts, body)."""
    pieces = skeleton.split(NUL)
    if len(pieces) < 3 or pieces[0] or len(pieces) % 2 == 0:
        raise ValueError("bad composite")
    store = pieces[1].decode()
    buckets, loaded = read_part(store, 0)[0], {}
    out = [pieces[2]]
    for key, text in zip(pieces[3::2], pieces[4::2], strict=True):
        number = bucket_of(key, buckets)
        if number not in loaded:
            body = read_part(store, number)[1].split(NUL)
            loaded[number] = dict(zip(body[1::2], body[2::2], strict=True))
        out += [loaded[number][key], text]
    return b"".join(out)
