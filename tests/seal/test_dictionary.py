"""A DICTIONARY body holds each piece as a fresh compressor primed with the section would deflate it, however made."""

from __future__ import annotations

import struct
import zlib

from tsunagu.seal.dictionary import SHORT, with_dictionary, without_dictionary

SECTION = '受入れ 空き 2名 通常営業 <li class="card"> 2026-11-08 '.encode() * 300


def _fresh(piece: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, SECTION)
    return comp.compress(piece) + comp.flush(zlib.Z_SYNC_FLUSH)


def test_short_pieces_made_once_and_long_ones_from_a_copy_are_the_bytes_of_a_fresh_compressor():
    units = [b'"}', b",2026-11-08,\r\n", b'"}', "空き 2名 ".encode() * 40, b"", b",2026-11-08,\r\n"]
    assert any(len(u) <= SHORT for u in units) and any(len(u) > SHORT for u in units)
    for _twice in range(2):  # the second time every short piece is the one made the first time
        body = with_dictionary(units, 3, SECTION)
        streams = [_fresh(u) for u in units]
        sizes = b"".join(struct.pack(">II", len(s), len(u)) for s, u in zip(streams, units, strict=True))
        assert body == bytes([3]) + struct.pack(">I", len(units)) + sizes + b"".join(streams)
        assert without_dictionary(body, [b"", b"", b"", SECTION]) == units


def test_a_short_piece_is_made_once_per_section():
    other, piece = b'"},"notes":"' * 2000, b'"},"notes":"'
    comp = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, other)
    theirs = comp.compress(piece) + comp.flush(zlib.Z_SYNC_FLUSH)
    assert theirs != _fresh(piece)  # a match in the one section, letters in the other
    head = 1 + 4 + 8  # number, count, one piece's sizes
    assert with_dictionary([piece], 3, SECTION)[head:] == _fresh(piece)
    assert with_dictionary([piece], 3, other)[head:] == theirs
