"""Encrypt stage: each protected file as one or more sealed entries (compressed where safe, padded).

An entry's exact payload is  flag (1 byte) ‖ true length (4 bytes) ‖ body ‖ zeros to a Padmé bucket,
sealed with AES-256-GCM under K_enc, a synthetic nonce over that exact payload, and
AD = "tsunagu/v2/file\\0" ‖ path ‖ "\\0" ‖ part ‖ parts. The body is raw deflate (flag 1) or as is (flag 0).

Compression never mixes text a contributor can change without review with other records' data:
a record page is one context of its own; a data file (records.json, status.csv) and a shared page
(lists and cards show each record's conditions, the status sheet and recent changes whole notes) are
cut at record boundaries and every unit is flushed into a context of its own, at every size.
Pagefind's files are gzip already, but for its fragments (search/output.py: plain bytes, deflated like a record page).
Files over a kind's largest part are cut into parts at record boundaries chosen by a keyed hash, so
one edit changes one part, not the whole file. Each part of a shared file is a file of its own in the
output (packs.is_solo): parts are sized so that an edit re-uploads a few tens of kB and the site
stays within a few hundred such files.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tsunagu.domain.paths import DATA_DIR, INDEX_DIR, is_record
from tsunagu.seal import free, wire
from tsunagu.seal.dictionary import inflate, with_dictionary, without_dictionary
from tsunagu.seal.free import Carver
from tsunagu.seal.keys import RootKeys, synthetic_nonce

FILE_AD = wire.FILE_AD.encode()
STORED, DEFLATE, DICTIONARY = wire.STORED, wire.DEFLATE, wire.DICTIONARY
FRAGMENT = re.compile(wire.FRAGMENT)
MIN_BUCKET = wire.MIN_BUCKET
HEADER = wire.FRAME_HEADER
PART_MIN, PART_MAX = 16 * 1024, 128 * 1024
# (least, largest) plaintext bytes of a part, per kind: about 10-40 kB of ciphertext each.
PART_SIZES = {"data": (16 * 1024, 64 * 1024), "sheet": (16 * 1024, 64 * 1024)}
SCALE_RECORDS = 16_000  # up to this many records, parts have the sizes above
RECORD = b'{"kind":"'  # where a record of records.json starts
# Where a record's row, card or change starts in a shared page.
ROW = re.compile(rb"(?=<(?:tr|li)[\s>])")


def padme(length: int) -> int:
    """Padmé: the padded size leaks O(log log L) bits of L (at most 12 % overhead); at least MIN_BUCKET."""
    if length <= MIN_BUCKET:
        return MIN_BUCKET
    e = length.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def frame(body: bytes, flag: int) -> bytes:
    """The exact payload: flag, true length, body, zero padding to the bucket."""
    inner = bytes([flag]) + struct.pack(">I", len(body)) + body
    return inner + bytes(padme(len(inner)) - len(inner))


def unframe(payload: bytes, sections: Callable[[], Sequence[bytes]] | None = None) -> bytes:
    """The body of a payload, decompressed (ValueError if the framing is wrong); sections gives the
    dictionary's sections for a DICTIONARY payload."""
    if len(payload) < HEADER:
        raise ValueError("bad entry framing")
    flag, length = payload[0], struct.unpack(">I", payload[1:HEADER])[0]
    known = (STORED, DEFLATE, DICTIONARY) if sections else (STORED, DEFLATE)
    if flag not in known or HEADER + length > len(payload) or any(payload[HEADER + length :]):
        raise ValueError("bad entry framing")
    body = payload[HEADER : HEADER + length]
    if flag == DEFLATE:
        return inflate(body)
    if flag == DICTIONARY and sections:
        return b"".join(without_dictionary(body, sections()))
    return body


def entry_ad(path: str, part: int, parts: int) -> bytes:
    """Associated data of one part of one logical file: built once, used for the nonce and the seal."""
    return FILE_AD + path.encode() + b"\0" + struct.pack(">II", part, parts)


def seal(keys: RootKeys, ad: bytes, payload: bytes, generation: bytes = b"") -> bytes:
    """nonce ‖ AES-256-GCM(K_enc, nonce, payload, ad) with a synthetic nonce over the exact payload
    (and the generation of the files it is sealed together with, if any)."""
    nonce = synthetic_nonce(keys.nonce, ad, payload, generation)
    return nonce + _cipher(keys.content).encrypt(nonce, payload, ad)


@functools.lru_cache(maxsize=4)
def _cipher(key: bytes) -> AESGCM:
    """The AES-GCM object of a key, made once (stateless between calls): tens of thousands of entries a build."""
    return AESGCM(key)


def open_sealed(content_key: bytes, ad: bytes, blob: bytes) -> bytes:
    """The payload of a sealed blob (InvalidTag if it was changed, moved or mis-keyed)."""
    return AESGCM(content_key).decrypt(blob[:12], blob[12:], ad)


def deflate(units: list[bytes], flush_each: bool) -> bytes:
    """Raw deflate of the units; with flush_each, no unit can refer back to another (Z_FULL_FLUSH)."""
    comp = zlib.compressobj(6, zlib.DEFLATED, -15, 8)
    out = []
    for unit in units:
        out.append(comp.compress(unit))
        if flush_each:
            out.append(comp.flush(zlib.Z_FULL_FLUSH))
    out.append(comp.flush())
    return b"".join(out)


def kind_of(path: str) -> str:
    """How a file is compressed: 'record' page, 'sheet' (a shared page: lists, cards, the status sheet
    and recent changes all show records' conditions), 'data' file, or 'stored'."""
    if path == wire.DICT_PATH:
        return "whole"
    if FRAGMENT.match(path):
        return "fragment"
    if path.startswith(INDEX_DIR):
        return "stored"
    if path.startswith(DATA_DIR):
        return "data"
    return "record" if is_record(path) else "sheet"


def units_of(data: bytes, kind: str = "data") -> list[bytes]:
    """A file as units that never hold two records: lines, and records.json's records, for a data file;
    table rows and list items for a shared page."""
    if kind == "sheet":
        return [u for u in ROW.split(data) if u]
    lines = data.split(b"\n")
    units = [line + b"\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    out = []
    for unit in units:
        pieces = unit.split(RECORD)  # records.json is one line: one unit per record
        out.append(pieces[0])
        out.extend(RECORD + piece for piece in pieces[1:])
    return [u for u in out if u]


def split_parts(
    data: bytes, group_key: bytes, least: int = PART_MIN, largest: int = PART_MAX, kind: str = "data"
) -> list[list[bytes]]:
    """Units grouped in parts of at least `least` bytes, cut after units picked by a keyed hash
    (content-defined, not public); a file up to `largest` bytes is one part (of units all the same)."""
    units = units_of(data, kind)
    if len(data) <= largest:
        return [units]
    parts: list[list[bytes]] = [[]]
    size = 0
    for unit in units:
        parts[-1].append(unit)
        size += len(unit)
        pick = hashlib.blake2b(unit, key=group_key, digest_size=1, person=b"tsunagu-cut").digest()[0] < 32  # 1 in 8
        if (size >= least and pick) or size >= largest:
            parts.append([])
            size = 0
    return [p for p in parts if p]


def part_scale(records: int) -> int:
    """How much larger parts are for a larger region: a power of two (parts only move when the region
    doubles), so the number of shared-part files stays about what it is for a prefecture."""
    scale = 1
    while records > SCALE_RECORDS * scale:
        scale *= 2
    return scale


def part_count(path: str, data: bytes, keys: RootKeys, scale: int = 1) -> int:
    """How many entries entries() makes of a file, without sealing them."""
    kind = kind_of(path)
    if kind not in PART_SIZES:
        return 1
    least, largest = PART_SIZES[kind]
    return len(split_parts(data, keys.group, least * scale, largest * scale, kind))


def _payload(kind: str, units: list[bytes], sections: Sequence[bytes] | None, carve: Carver = free.pieces) -> bytes:
    """A part's exact payload: a record page, a record's fragment, and each unit of a shared file alone against
    the dictionary's section for its kind, if the build has one (a fragment as Pagefind's plain bytes, which its
    runtime takes as is)."""
    if kind in ("record", "fragment") and sections:
        number = wire.DICT_SECTIONS.index(kind)
        return frame(with_dictionary(units, number, sections[number]), DICTIONARY)
    if kind in ("stored", "fragment"):
        return frame(units[0], STORED)
    if kind in ("sheet", "data") and sections:  # every unit (a row, card or record) in a context of its own
        number = wire.DICT_SECTIONS.index(kind)
        return frame(with_dictionary(units, number, sections[number], carve), DICTIONARY)
    return frame(deflate(units, flush_each=kind in ("data", "sheet")), DEFLATE)


def entries(
    path: str,
    data: bytes,
    keys: RootKeys,
    scale: int = 1,
    generation: bytes = b"",
    sections: Sequence[bytes] | None = None,
) -> Iterator[tuple[int, int, bytes]]:
    """(part, parts, sealed blob) of one logical file; shared files in parts `scale` times the usual size;
    with the dictionary's sections, record pages and fragments deflated against them."""
    kind = kind_of(path)
    if kind not in PART_SIZES:
        parts = [[data]]
    else:
        least, largest = PART_SIZES[kind]
        parts = split_parts(data, keys.group, least * scale, largest * scale, kind)
    for i, units in enumerate(parts):
        payload = _payload(kind, units, sections, free.carver(path))
        yield i, len(parts), seal(keys, entry_ad(path, i, len(parts)), payload, generation)
