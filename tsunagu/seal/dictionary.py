"""Deflate against the dictionary's sections (wire.DICTIONARY): each unit alone, from a compressor primed with its section.

A DICTIONARY body is  section number (1 byte) ‖ count (u32) ‖ (packed u32, plain u32) per piece ‖ the pieces'
streams. Each piece is a raw deflate stream of its own that starts as if the section had just been read and ends
with a sync flush; a piece of unreviewed free text (free.py) is stored as it is. The browser inflates them as one
stream, the section as a stored block before each piece.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Sequence

from tsunagu.seal import free, wire
from tsunagu.seal.free import Carver

# Pieces this short are deflated once per build and section: a fifth to two fifths of a region's row pieces repeat
# (a store's `"}`, `"},"notes":"`, a status line's `,2026-11-08,\r\n`), and a copy of the primed compressor
# costs more than deflating them (10,000 + 3,000: 36,000 of 90,000 row pieces, about 0.4 s of CPU).
SHORT = 64
SHORT_KEPT = 4096  # distinct short pieces kept: 43 at 10,000 + 3,000; bounded whatever the data


def inflate(body: bytes) -> bytes:
    """A raw deflate stream, decompressed as strictly as the browser's DecompressionStream (ValueError)."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(body) + inflater.flush()
    except zlib.error:
        raise ValueError("bad deflate stream") from None
    if not inflater.eof or inflater.unused_data:
        raise ValueError("bad deflate stream")
    return out


def stored_block(data: bytes) -> bytes:
    """A non-final stored deflate block holding data (at most 65,535 bytes), from a byte boundary."""
    return b"\0" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def stored(data: bytes) -> bytes:
    """Data as non-final stored blocks: its size is its length, whatever its letters."""
    if 0 < len(data) <= 0xFFFF:
        return stored_block(data)
    return b"".join(stored_block(data[at : at + 0xFFFF]) for at in range(0, len(data), 0xFFFF))


@functools.lru_cache(maxsize=len(wire.DICT_SECTIONS))
def _primed(section: bytes) -> zlib._Compress:
    """A compressor that has read the section and nothing else: each unit starts from a copy of it."""
    return zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, section)


def _deflated(primed: zlib._Compress, piece: bytes) -> bytes:
    """One piece deflated alone from the primed state, sync-flushed."""
    # A copy of the primed compressor is the very state a new one reaches after hashing the section
    # (the same bytes out), in a quarter of the time (pipeline.heap keeps the heap's top for it).
    comp = primed.copy()
    return comp.compress(piece) + comp.flush(zlib.Z_SYNC_FLUSH)


@functools.lru_cache(maxsize=SHORT_KEPT)
def _short(section: bytes, piece: bytes) -> bytes:
    """A short piece's stream: the same bytes every time (the primed state is the same), so made once."""
    return _deflated(_primed(section), piece)


def with_dictionary(units: Sequence[bytes], number: int, section: bytes, carve: Carver = free.pieces) -> bytes:
    """The body of a DICTIONARY payload: each unit deflated alone against the section (wire.DICTIONARY),
    its unreviewed free text (free.py) stored as it is, in units of their own."""
    primed = _primed(section)
    streams: list[bytes] = []
    sizes: list[int] = []  # packed and plain length of each piece
    for unit in units:
        for piece, is_free in carve(unit):
            if is_free:
                stream = stored(piece)
            elif len(piece) <= SHORT:
                stream = _short(section, piece)
            else:
                stream = _deflated(primed, piece)
            streams.append(stream)
            sizes += (len(stream), len(piece))
    return bytes([number]) + struct.pack(f">I{len(sizes)}I", len(streams), *sizes) + b"".join(streams)


def without_dictionary(body: bytes, sections: Sequence[bytes]) -> list[bytes]:
    """The units of a DICTIONARY body, decoded as the browser does: one stream, the section before each unit."""
    head = wire.DICT_HEADER
    if len(body) < head or body[0] >= len(sections):
        raise ValueError("bad dictionary framing")
    section, count = sections[body[0]], struct.unpack(">I", body[1:head])[0]
    if head + 8 * count > len(body):
        raise ValueError("bad dictionary framing")
    sizes = [struct.unpack(">II", body[head + 8 * i : head + 8 * i + 8]) for i in range(count)]
    at, stream = head + 8 * count, []
    for packed, _plain in sizes:
        stream += [stored_block(section), body[at : at + packed]]
        at += packed
    if at != len(body):
        raise ValueError("bad dictionary framing")
    out, units, at = inflate(b"".join(stream) + b"\x03\x00"), [], 0
    for _packed, plain in sizes:
        if out[at : at + len(section)] != section:
            raise ValueError("bad deflate stream")
        units.append(out[at + len(section) : at + len(section) + plain])
        at += len(section) + plain
    if at != len(out):
        raise ValueError("bad deflate stream")
    return units


def read_sections(data: bytes) -> list[bytes]:
    """The dictionary's sections (wire.DICT_PATH): magic, count (u32), then length (u32) and bytes each."""
    magic = wire.DICT_MAGIC.encode()
    if not data.startswith(magic):
        raise ValueError("bad dictionary")
    data = data[len(magic) :]
    count, at, out = struct.unpack(">I", data[:4])[0], 4, []
    for _ in range(count):
        (length,) = struct.unpack(">I", data[at : at + 4])
        out.append(data[at + 4 : at + 4 + length])
        at += 4 + length
    return out
