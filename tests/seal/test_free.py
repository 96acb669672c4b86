"""Unreviewed free text is cut out of compression: where the seal finds it, and what it costs in size."""

from __future__ import annotations

import zlib

from tsunagu.render.markup import free_text
from tsunagu.seal.dictionary import with_dictionary, without_dictionary
from tsunagu.seal.free import csv_pieces, pieces

SECTION = "受入れできます 空き 2名 3名 職員 陽性 発生 <p class=\"plain-text\">".encode() * 40


def test_the_text_between_the_markers_is_one_free_piece():
    page = f'<p class="plain-text">{free_text("職員に3名<発生>")}</p><p>他</p>'.encode()
    assert pieces(page) == [
        (b'<p class="plain-text"><!--f-->', False),
        ("職員に3名&lt;発生&gt;".encode(), True),
        (b"<!--/f--></p><p>\xe4\xbb\x96</p>", False),
    ]


def test_the_values_of_free_keys_in_json_are_free_pieces():
    unit = '{"name":"さくら","status":{"conditions":"要相談 \\"3名\\"","new_clients":"accepting"},"notes":"x"}'.encode()
    free = [p for p, is_free in pieces(unit) if is_free]
    assert free == ['要相談 \\"3名\\"'.encode(), b"x"]
    assert b"".join(p for p, _ in pieces(unit)) == unit


def test_the_conditions_cell_of_a_status_csv_line_is_free_even_quoted_in_a_row_store():
    line = '\0k1.0\0さくら,通所介護,東区,011-000-0001,営業中,受入可,受入不可,未回答,2,"要相談, ""3名""",2026-12-01,\r\n'
    cut = csv_pieces(line.encode())
    assert [p.decode() for p, is_free in cut if is_free] == ['"要相談, ""3名"""']
    assert b"".join(p for p, _ in cut) == line.encode()
    assert csv_pieces(b"only,three,cells\r\n") == [(b"only,three,cells\r\n", False)]


def test_no_marker_no_cut():
    assert pieces(b"<p>plain</p>") == [(b"<p>plain</p>", False)]
    assert free_text("") == ""


def test_a_unit_reads_back_whole_and_its_size_does_not_depend_on_the_free_letters():
    def body(note: str) -> bytes:
        page = f"<p>空き 2名</p><p>{free_text(note)}</p><p>2026-12-01 2名</p>".encode()
        return with_dictionary([page], 0, SECTION)

    sizes = {len(body(f"職員に陽性者が{d}名発生")) for d in range(10)}
    assert len(sizes) == 1
    page = f"<p>{free_text('職員に陽性者が3名発生')}</p>".encode()
    assert b"".join(without_dictionary(with_dictionary([page], 0, SECTION), [SECTION])) == page
    # Deflated instead, the digit the page already holds costs less: the reason for the cut.
    deflated = {
        d: len(zlib.compress(f"<p>空き 2名</p><p>職員に陽性者が{d}名発生</p>".encode() * 3, 9)) for d in range(10)
    }
    assert len(set(deflated.values())) > 1
