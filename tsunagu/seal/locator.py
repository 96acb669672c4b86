"""Locators: where each record page sits in its pack, so that a page view whose pack directory is not at hand
fetches the directory and the entry at once (one round trip, not two) and still checks the entry's SHA-256
against the directory before showing it.

A locator part covers a run of pack numbers; per pack it lists each record-page entry as a 3-byte tag
(bytes 4..6 of the entry's keyed slot, which the browser computes for the path it wants: bytes 0..3 already
picked the pack), its offset and its length. A part is sealed (AD "tsunagu/v2/loc\\0" ‖ first pack number)
and is a file of its own, named by the hash of its ciphertext and listed in the root manifest, so an edit
that moves an entry changes one small part, not the root's other parts. Tags shared within a pack are left
out: the browser then reads the directory first, as it does without a locator.

A pack's fragment list does the same for the search fragments in it, with each one's hash: sealed (AD
"tsunagu/v2/frg\\0" ‖ pack number) into the pack before its directory and listed in the root manifest by hash,
it lets a search result's fragment be read and checked without the pack's directory (a few kB, not tens).
"""

from __future__ import annotations

import struct
import zlib
from collections import Counter

from tsunagu.domain.paths import is_record
from tsunagu.seal import wire

LOC_AD = wire.LOC_AD.encode()
PARTS = wire.LOC_PARTS  # parts of the locator: an edit that moves an entry changes one part (1/16 of it)
TAG = slice(*wire.LOC_TAG)  # bytes of the slot after the ones that pick the pack: distinct within a pack
LIMIT = wire.LOC_LIMIT  # offsets and lengths are 3 bytes; an entry beyond is left out (the slow path finds it)
_WIDTH = wire.LOC_TAG[1] - wire.LOC_TAG[0]
ROW = struct.Struct(f">{_WIDTH}s3s3s")  # wire.LOC_ROW_BYTES
FRG_AD = wire.FRG_AD.encode()
FRG_ROW = struct.Struct(f">{_WIDTH}s3s3s{wire.FRG_HASH_BYTES}s")  # wire.FRG_ROW_BYTES


def is_located(path: str) -> bool:
    """Record pages: what a reader opens by address (their fragments are found through the directory)."""
    return is_record(path)


def ranges(count: int) -> list[tuple[int, int]]:
    """The pack numbers [first, end) of each locator part."""
    parts = min(PARTS, count)
    return [(k * count // parts, (k + 1) * count // parts) for k in range(parts)]


def ad(first: int) -> bytes:
    """Associated data of the part starting at pack `first`: a part cannot be served for another."""
    return LOC_AD + struct.pack(">I", first)


def encode(rows: dict[int, list[tuple[bytes, int, int]]], first: int, end: int) -> bytes:
    """The deflated body of one part: per pack, a count, then (tag, offset, length) of each entry."""
    out = bytearray()
    for number in range(first, end):
        entries = rows.get(number, [])
        tags = Counter(tag for tag, _o, _n in entries)
        kept = [e for e in entries if tags[e[0]] == 1 and e[1] + e[2] < LIMIT][:0xFFFF]
        out += struct.pack(">H", len(kept))
        for tag, offset, length in kept:
            out += ROW.pack(tag, offset.to_bytes(3, "big"), length.to_bytes(3, "big"))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(bytes(out)) + comp.flush()


def decode(body: bytes, first: int, end: int) -> dict[int, dict[bytes, tuple[int, int]]]:
    """pack number -> tag -> (offset, length), from the plaintext of one part (ValueError if malformed)."""
    out: dict[int, dict[bytes, tuple[int, int]]] = {}
    at = 0
    try:
        for number in range(first, end):
            (count,) = struct.unpack_from(">H", body, at)
            at += 2
            rows = {}
            for _ in range(count):
                tag, offset, length = ROW.unpack_from(body, at)
                rows[tag] = (int.from_bytes(offset, "big"), int.from_bytes(length, "big"))
                at += ROW.size
            out[number] = rows
    except struct.error:
        raise ValueError("locator part too short") from None
    if at != len(body):
        raise ValueError("bad locator")
    return out


def frg_ad(number: int) -> bytes:
    """Associated data of pack `number`'s fragment list: a list cannot be served for another pack."""
    return FRG_AD + struct.pack(">I", number)


def encode_fragments(entries: list[tuple[bytes, int, int, bytes]]) -> bytes:
    """A pack's fragment list from (tag, offset, length, SHA-256) of each fragment; shared tags left out."""
    tags = Counter(tag for tag, _o, _n, _h in entries)
    return b"".join(
        FRG_ROW.pack(tag, offset.to_bytes(3, "big"), length.to_bytes(3, "big"), digest[: wire.FRG_HASH_BYTES])
        for tag, offset, length, digest in entries
        if tags[tag] == 1 and offset + length < LIMIT
    )


def decode_fragments(body: bytes) -> dict[bytes, tuple[int, int, str]]:
    """tag -> (offset, length, hex of the hash's first bytes), from a fragment list's plaintext."""
    if len(body) % FRG_ROW.size:
        raise ValueError("bad fragment list")
    out = {}
    for tag, offset, length, digest in FRG_ROW.iter_unpack(body):
        out[tag] = (int.from_bytes(offset, "big"), int.from_bytes(length, "big"), digest.hex())
    return out
