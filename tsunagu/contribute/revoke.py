"""Revoking a record's update links: its `link_version` goes up by one, so every link issued before stops working."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import TsunaguError
from tsunagu.domain.kinds import KINDS
from tsunagu.yamlio.roundtrip import dump, load, put

MAX_VERSION = 65535


def revoke(data_dir: Path, record_id: str, today: dt.date) -> tuple[Path, int, int]:
    """Bump the record's link_version in its file (a one-line edit); (file, old version, new version)."""
    directory = validate_tree(load_tree(data_dir), today)
    found = [(kind, r) for kind in KINDS for r in directory.records(kind) if r.id == record_id]
    if not found:
        raise TsunaguError(f"{record_id}: no provider or physician has this id in {data_dir}")
    kind, record = found[0]
    old = record.link_version
    if old >= MAX_VERSION:
        raise TsunaguError(
            f"{directory.files.get(record_id, record_id)}: link_version: expected below {MAX_VERSION} "
            f"to revoke once more; got {old}"
        )
    path = Path(data_dir) / kind.folder / f"{record_id}.yaml"
    doc = load(path.read_bytes().decode("utf-8-sig"))
    put(doc, "link_version", old + 1, list(kind.model.model_fields))
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(dump(doc))
    return path, old, old + 1
