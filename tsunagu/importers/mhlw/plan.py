"""Import the MHLW care-service open data: cleaned offices → planned YAML changes → files.

Re-imports own only the facts that came from the open data. `source.original` keeps each fact
as last imported; a field whose value differs from it was edited by a person and is kept.
Offices missing from a new import are marked `source.vanished`, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsunagu.domain.errors import Problem
from tsunagu.importers.mhlw.cells import city_key, learn_area_codes, tidy
from tsunagu.importers.mhlw.clean import (
    C_FAX,
    C_PHONE,
    SERVICE_NAMES,
    Office,
    Record,
    Row,
    clean_row,
    merge_offices,
    service_code,
)
from tsunagu.importers.mhlw.records import Options, index_existing, new_doc, new_values, update_doc
from tsunagu.importers.mhlw.site import ImportError_, SiteInfo, add_services, place, read_site
from tsunagu.yamlio.roundtrip import dump, plain

UNPLACED_HINT = "add the town to area_map in site.yaml, or give --default-area AREA"


@dataclass
class Change:
    """One provider file as the import leaves it."""

    path: str  # providers/<id>.yaml
    kind: str  # added | updated | unchanged
    name: str
    text: str
    old_text: str | None = None
    diffs: list[tuple[str, Any, Any]] = field(default_factory=list)


@dataclass
class Plan:
    """Everything an import would do, decided before anything is written."""

    files: list[str]
    rows: list[Row]
    other_rows: int
    problems: list[Problem] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    kept: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    vanished: list[tuple[str, str, bool]] = field(default_factory=list)
    unplaced: list[tuple[Office, str]] = field(default_factory=list)
    skipped: list[tuple[Office, str]] = field(default_factory=list)
    new_services: dict[str, str] = field(default_factory=dict)
    site_text: str | None = None
    imported_rows: set[tuple[str, int]] = field(default_factory=set)
    reported_rows: set[tuple[str, int]] = field(default_factory=set)

    def count(self, kind: str) -> int:
        """How many provider files end up added, updated or unchanged."""
        return sum(1 for c in self.changes if c.kind == kind)


def plan_import(
    files: list[str],
    rows: list[Row],
    site_text: str,
    existing: dict[str, str],
    options: Options,
    site_shown: str = "site.yaml",
) -> Plan:
    """Decide every change of an import from the rows read and the files as they are now; writes nothing."""
    keys = {city_key(c) for c in options.cities}
    mine = [r for r in rows if city_key(r.cells["都道府県コード又は市町村コード"]) in keys]
    plan = Plan(files, mine, len(rows) - len(mine))
    site = read_site(site_text, site_shown)
    if options.default_area is not None and options.default_area not in site.areas:
        raise ImportError_(
            f"--default-area: expected one of the areas in {site_shown} "
            f"({', '.join(site.areas)}); got {options.default_area!r}"
        )
    names: dict[str, str] = {}
    for name, code in site.services.items():
        names.setdefault(code, name)
    covered = {c for c in (service_code(f, "", {}) for f in files) if c}
    covered |= {c for c in (service_code(r.file, r.cells["サービスの種類"], site.services) for r in rows) if c}
    plan.offices = merge_offices(_clean_rows(mine, site, names, options, plan, site_shown))
    index = index_existing(existing, plan.problems)
    context = _Context(
        options,
        site,
        names,
        covered,
        {name: code for code, name in names.items()} | site.services,
        {Path(f).name for f in files},
        existing,
    )
    for office in plan.offices:
        _plan_office(office, index.get(office.number), context, plan)
    seen = {o.number for o in plan.offices}
    _mark_vanished({n: v for n, v in index.items() if n not in seen}, keys, context, plan)
    if plan.new_services:
        plan.site_text = add_services(site, plan.new_services)
    return plan


@dataclass
class _Context:
    """What every office of one import is planned against."""

    options: Options
    site: SiteInfo
    names: dict[str, str]  # service code -> name in site.yaml
    covered: set[str]  # service codes this import has files for
    codes: dict[str, str]  # service name -> code
    files_read: set[str]
    existing: dict[str, str]


def _clean_rows(
    mine: list[Row], site: SiteInfo, names: dict[str, str], options: Options, plan: Plan, site_shown: str
) -> list[Record]:
    """Clean each row; a service site.yaml lacks is added (or, with --no-new-services, the row reported)."""
    area_codes = learn_area_codes([r.cells[C_PHONE] for r in mine] + [r.cells[C_FAX] for r in mine])
    records = []
    for row in mine:
        record, problems = clean_row(row, area_codes, site.services)
        plan.problems += problems
        if record is None:
            plan.reported_rows.add((row.file, row.line))
            continue
        if record.code not in names:
            if not options.new_services:
                plan.problems.append(
                    Problem(
                        row.file,
                        row.line,
                        "サービスの種類",
                        f"{record.kind} (code {record.code}) is not among the services of "
                        f"{site_shown}; row not imported (--no-new-services)",
                    )
                )
                plan.reported_rows.add((row.file, row.line))
                continue
            name = SERVICE_NAMES.get(record.code) or tidy(record.kind)
            names[record.code] = name
            plan.new_services[name] = record.code
        records.append(record)
    return records


def _skip_reason(values: dict[str, Any], found: Any) -> str | None:
    """Why an office is not written, or None."""
    if values["phone"] is None:
        return "no usable phone number (required); not written"
    if found and found[1] is None:
        return f"already in providers/{found[0]} (entered by hand, no source block); left alone"
    return None


def _plan_office(office: Office, found: Any, ctx: _Context, plan: Plan) -> None:
    """Plan one office: a new file, an update of its file, or a reason it is left out."""
    options = ctx.options
    values = new_values(office, ctx.names)
    area = place(values["address"], office.city_name, ctx.site.area_map)
    stem = f"mhlw-{office.number.lower()}"
    reason = _skip_reason(values, found)
    if reason:
        plan.skipped.append((office, reason))
        plan.reported_rows.update(office.rows)
        return
    if area is None:
        placed = found or options.default_area
        plan.unplaced.append(
            (office, ("area kept" if found else f"placed in {options.default_area}") if placed else "not written")
        )
        plan.reported_rows.update(office.rows)
        if not placed:
            return
    values["area"] = area if area is not None else (None if found else options.default_area)
    if values["office_number"] is None:
        plan.problems.append(
            Problem(
                office.rows[0][0],
                office.rows[0][1],
                "事業所番号",
                f"{office.number} is not 10 digits or capital letters, so it is kept in the file name {stem}.yaml only",
            )
        )
    plan.imported_rows.update(office.rows)
    if found:
        name, doc = found
        path, old = f"providers/{name}", ctx.existing[name]
        diffs = update_doc(doc, office, values, ctx.covered, ctx.files_read, ctx.codes, options, path, plan.kept)
        text = dump(doc) if diffs else old
        plan.changes.append(Change(path, "updated" if text != old else "unchanged", values["name"], text, old, diffs))
    else:
        text = dump(new_doc(office, values, options))
        plan.changes.append(Change(f"providers/{stem}.yaml", "added", values["name"], text))


def _mark_vanished(unseen: dict[str, Any], keys: set[str], ctx: _Context, plan: Plan) -> None:
    """Offices of this import's cities and services that the open data no longer lists: mark, never delete."""
    for _number, (name, doc) in sorted(unseen.items(), key=lambda kv: kv[1][0]):
        if doc is None:
            continue
        source, original = doc["source"], plain(doc["source"].get("original") or {})
        services = original.get("services") or []
        if (
            city_key(str(original.get("city", ""))) not in keys
            or not services
            or any(ctx.codes.get(s) not in ctx.covered for s in services)
        ):
            continue
        newly = "vanished" not in source
        path = f"providers/{name}"
        plan.vanished.append((path, str(doc.get("name", "")), newly))
        if newly:
            source["vanished"] = ctx.options.today
            plan.changes.append(
                Change(
                    path,
                    "updated",
                    str(doc.get("name", "")),
                    dump(doc),
                    ctx.existing[name],
                    [("source.vanished", None, ctx.options.today)],
                )
            )
