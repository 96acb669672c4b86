"""The status board's shapes: the at-a-glance counts, the morning sheet's groups, its CSV and records.json."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from tsunagu.domain.directory import Directory
from tsunagu.domain.labels import ACCEPTANCE_JA, OPERATION_JA, STATUS_CSV_COLUMNS, STATUS_FIELDS_JA
from tsunagu.domain.models import Physician, Provider, Record, Site
from tsunagu.domain.text import spreadsheet_cell
from tsunagu.render.entries import Entry
from tsunagu.render.markup import plain_text

ACCEPTANCE_KEYS = tuple(STATUS_FIELDS_JA)  # new_clients, alternative_support, post_infection
_YES = ("accepting", "conditional")


def glance(site: Site, providers: list[Entry[Provider]], today: dt.date) -> list[dict[str, Any]]:
    """Per service and area: how many providers accept (or conditionally accept) each kind of client."""
    groups: dict[tuple[str, str], list[Provider]] = {}
    for p in (e.record for e in providers):
        if p.status.operation not in ("closed", "suspended"):
            for service in p.services:
                groups.setdefault((service, p.area), []).append(p)
    rows = []
    for service in site.services:
        cells, total = [], 0
        for area in site.areas:
            group = groups.get((service, area), [])
            # Ages at build time of each counted answer: the browser leaves out the old ones on request.
            # Per status, the ages of the 受入可 and of the 条件付きで可 answers (shown as ○ and △).
            ages = {
                k: {
                    v: [
                        (today - p.status.updated).days for p in group if p.status.updated and getattr(p.status, k) == v
                    ]
                    for v in _YES
                }
                for k in ACCEPTANCE_KEYS
            }
            cells.append(
                {
                    "area": area,
                    "total": len(group),
                    "ages": ages,
                    **{k: sum(map(len, by.values())) for k, by in ages.items()},
                }
            )
            total += len(group)
        if total:
            rows.append({"service": service, "cells": cells, "total": total})
    return rows


def sheet_groups(site: Site, providers: list[Entry[Provider]]) -> list[dict[str, Any]]:
    """The morning sheet: area, then service, then providers (one listed under each of its services)."""
    out = []
    for number, area in enumerate(site.areas, 1):
        in_area = [e for e in providers if e.record.area == area]
        services = [{"service": s, "entries": [e for e in in_area if s in e.record.services]} for s in site.services]
        services = [g for g in services if g["entries"]]
        out.append({"number": number, "area": area, "services": services, "count": len(in_area)})
    return out


def providers_csv(providers: list[Entry[Provider]]) -> bytes:
    """The daily status sheet as CSV (UTF-8 with BOM so spreadsheet programs read Japanese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STATUS_CSV_COLUMNS)
    for e in providers:
        p = e.record
        s = p.status
        writer.writerow(
            [
                spreadsheet_cell(v)
                for v in [
                    p.name,
                    "・".join(p.services),
                    p.area,
                    p.phone,
                    OPERATION_JA[s.operation],
                    *(ACCEPTANCE_JA[getattr(s, k)] for k in ACCEPTANCE_KEYS),
                    "" if s.vacancies is None else s.vacancies,
                    plain_text(s.conditions),
                    s.updated.isoformat() if s.updated else "未回答",
                    "はい" if e.stale else "",
                ]
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def records_json(directory: Directory, providers: list[Entry[Provider]], physicians: list[Entry[Physician]]) -> bytes:
    """Every record as JSON for client features and export (encrypted like the pages)."""

    def dump(e: Entry[Record]) -> dict[str, Any]:
        data = e.record.model_dump(mode="json", exclude_none=True)
        # "confirmed": the date the browser ages; None for a never-answered import.
        return {
            "kind": e.kind.name,
            "path": e.path,
            "stale": e.stale,
            "confirmed": e.updated.isoformat() if e.updated else None,
            **data,
        }

    include = {"title", "region", "areas", "services", "stale_after_days"}
    payload = {
        "site": directory.site.model_dump(mode="json", include=include),
        "records": [dump(e) for e in providers + physicians],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
