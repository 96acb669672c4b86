"""Free text a record's maintainers change without review, cut out of every compression context.

A provider's conditions and a physician's contact notes come through personal update links, unreviewed.
Deflated, even in a context of their own, their size depends on their letters (a digit the dictionary or the
page holds elsewhere costs fewer bits), so a provider editing its own note could still move its own files
by a padding bucket one guess in twenty. Cut out and stored as they are, their size is their length: every
guess of the same length gives the same public sizes. The pieces stay in order, so the plaintext is
unchanged and the browser reads them as it reads any unit (wire.DICTIONARY).

Where the free text is: between the markers the templates put around it (render: the `free` filter), under
its keys in JSON (records.json, Pagefind's fragments), in the 条件 column of status.csv.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tsunagu.domain.labels import STATUS_CSV_FREE_COLUMN
from tsunagu.domain.paths import DATA_DIR
from tsunagu.domain.text import FREE_CLOSE, FREE_OPEN
from tsunagu.seal import wire

OPEN, CLOSE = FREE_OPEN.encode(), FREE_CLOSE.encode()  # render's `free` filter puts them around the text
HTML_FREE = re.compile(re.escape(OPEN) + rb"(.*?)" + re.escape(CLOSE), re.S)
JSON_KEYS = (b"conditions", b"notes", b"via")
JSON_FREE = re.compile(rb'"(?:' + b"|".join(JSON_KEYS) + rb')":"((?:[^"\\]|\\.)*)"')
FIELD = re.compile(rb'"(?:[^"]|"")*"|[^,\r\n]*')
# The cells before the 条件 column, each the first FIELD that matches (atomic: no other way of cutting it) and a comma.
BEFORE_FREE = re.compile(rb"(?:(?>%s),){%d}" % (FIELD.pattern, STATUS_CSV_FREE_COLUMN))

CSV_LINES = (f"{DATA_DIR}status.csv", f"{wire.ROWS_DIR}csv")  # the file, and the store of its lines (rows.py)
Piece = tuple[bytes, bool]  # bytes, and whether they are free text (stored, never deflated)
Carver = Callable[[bytes], list[Piece]]


def _cut(unit: bytes, spans: list[tuple[int, int]]) -> list[Piece]:
    """The unit as pieces, the spans free."""
    out, at = [], 0
    for start, end in spans:
        if start > at:
            out.append((unit[at:start], False))
        if end > start:
            out.append((unit[start:end], True))
        at = end
    if at < len(unit) or not out:
        out.append((unit[at:], False))
    return out


def pieces(unit: bytes) -> list[Piece]:
    """A page's or JSON unit's pieces: the text between the markers and the values of the free keys."""
    if OPEN not in unit and b'":"' not in unit:
        return [(unit, False)]
    spans = [m.span(1) for m in HTML_FREE.finditer(unit)] + [m.span(1) for m in JSON_FREE.finditer(unit)]
    return _cut(unit, sorted(spans))


def csv_pieces(unit: bytes) -> list[Piece]:
    """A status.csv line's pieces (a row store's unit starts with its key: NUL key NUL): the 条件 cell free."""
    before = BEFORE_FREE.match(unit, unit.rfind(b"\0") + 1)
    if before is None:
        return [(unit, False)]  # the header's line, or no such column
    field = FIELD.match(unit, before.end())
    return _cut(unit, [field.span()] if field else [])


def carver(path: str) -> Carver:
    """How a file's (or a row store's) units are cut: status.csv's lines by column, any other unit by marks and keys."""
    return csv_pieces if path in CSV_LINES else pieces
