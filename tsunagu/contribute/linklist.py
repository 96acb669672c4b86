"""Lists for a mail merge or a FAX round: each record's phone, FAX, e-mail and personal update link (CSV, UTF-8 with BOM)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from tsunagu.contribute.links import HOLDER, Ref, Token, link_url, make_token
from tsunagu.contribute.stale import stale_records
from tsunagu.domain.config import JST
from tsunagu.domain.directory import Directory
from tsunagu.domain.kinds import BY_NAME, KINDS
from tsunagu.domain.text import spreadsheet_cell

LINK_HEADER = ("id", "kind", "name", "phone", "fax", "email", "url")
STALE_HEADER = ("id", "kind", "name", "updated", "days", "phone", "fax", "email", "url")


def expiry_of(today: dt.date, days: int | None) -> int:
    """When a round's links stop working: the end of day `today + days` in Japan (0: never).

    A day boundary rather than "now + days", so `links` and `sheets` run apart give the same links.
    """
    if not days:
        return 0
    return int(dt.datetime.combine(today + dt.timedelta(days=days + 1), dt.time(0), JST).timestamp())


def _records(directory: Directory) -> dict[tuple[str, str], Any]:
    return {(k.name, r.id): r for k in KINDS for r in directory.records(k)}


def record_link(record: Any, kind: str, link_key: bytes, base_url: str, expiry: int = 0) -> str:
    """The personal update link of one record, at its current link version."""
    token = make_token(Token(HOLDER, expiry, (Ref(kind, record.id, record.link_version),)), link_key)
    return link_url(base_url, token)


def group_link(directory: Directory, ids: list[str], link_key: bytes, base_url: str, expiry: int = 0) -> dict[str, str]:
    """One link for the records of one 法人 (the MAC binds the whole list); a row like link_rows'."""
    records = _records(directory)
    refs, found = [], []
    for rid in ids:
        match = [(kind, r) for (kind, i), r in records.items() if i == rid]
        if not match:
            raise KeyError(rid)
        kind, record = match[0]
        refs.append(Ref(kind, rid, record.link_version))
        found.append((kind, record))
    token = make_token(Token(HOLDER, expiry, tuple(refs)), link_key)
    first = found[0][1]
    return {
        "id": " ".join(ids),
        "kind": "group",
        "name": "、".join(BY_NAME[k].title(r) for k, r in found),
        "phone": first.phone,
        "fax": first.fax or "",
        "email": getattr(first, "email", None) or "",
        "url": link_url(base_url, token),
    }


def link_rows(
    directory: Directory,
    link_key: bytes | None,
    base_url: str | None,
    today: dt.date,
    *,
    stale_only: bool = False,
    expiry: int = 0,
) -> list[dict[str, str]]:
    """One row per record (or per stale record, oldest first) with its contact numbers and link."""
    records = _records(directory)
    chosen: list[tuple[str, str, Any]]
    if stale_only:
        chosen = [(s.kind, s.id, s) for s in stale_records(directory, today)]
    else:
        chosen = [(k.name, r.id, None) for k in KINDS for r in directory.records(k)]
    rows = []
    for kind, rid, stale in chosen:
        record = records[kind, rid]
        row = {
            "id": rid,
            "kind": kind,
            "name": BY_NAME[kind].title(record),
            "phone": record.phone,
            "fax": record.fax or "",
            "email": getattr(record, "email", None) or "",
            "url": record_link(record, kind, link_key, base_url, expiry) if link_key and base_url else "",
        }
        if stale is not None:
            row.update(updated=stale.updated.isoformat(), days=str(stale.days))
        rows.append(row)
    return rows


def to_csv(rows: Iterable[dict[str, str]], header: tuple[str, ...]) -> bytes:
    """CSV that Excel opens as UTF-8 (a byte-order mark first), CRLF line ends as the format says."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
