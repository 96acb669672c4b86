"""Composites (seal/rows.py): the Python reader puts the rows back as the browser does (tests/vectors/rows.json)."""

from __future__ import annotations

import base64
import json

import pytest
from tools import ROOT

from tsunagu.domain.errors import BuildError
from tsunagu.seal import rows

VECTORS = json.loads((ROOT / "tests" / "vectors" / "rows.json").read_text(encoding="utf-8"))


def _reader(stores: dict[str, list[str]]):
    return lambda store, part: (len(stores[store]), base64.b64decode(stores[store][part]))


def test_every_composite_of_the_vectors_assembles_to_the_file_as_rendered():
    for f in VECTORS["files"]:
        assert rows.assemble(base64.b64decode(f["skeleton"]), _reader(VECTORS["stores"])) == base64.b64decode(
            f["plain"]
        )


def test_a_skeleton_holds_no_row_and_every_row_is_in_its_records_bucket():
    for f in VECTORS["files"]:
        assert "事業所1".encode() not in base64.b64decode(f["skeleton"]), f["path"]
    for parts in VECTORS["stores"].values():
        for number, text in enumerate(parts):
            body = base64.b64decode(text).split(b"\0")
            assert all(rows.bucket_of(key, len(parts)) == number for key in body[1::2])


def test_a_status_csv_that_does_not_match_the_providers_is_a_build_error():
    shared = {"data/records.json": b'{"site":{},"records":[]}', "data/status.csv": "\ufeff事業所名\r\nA\r\n".encode()}
    with pytest.raises(BuildError, match="data/status.csv: 1 rows for 0 providers"):
        rows.layout(shared, b"k" * 32)
