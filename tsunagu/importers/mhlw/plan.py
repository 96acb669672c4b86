"""Import the MHLW care-service open data: cleaned offices → planned YAML changes → files.

Re-imports own only the facts that came from the open data. `source.original` keeps each fact
as last imported; a field whose value differs from it was edited by a person and is kept.
Offices missing from a new import are marked `source.vanished`, never deleted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from tsunagu.domain.errors import DataError, Problem, TsunaguError
from tsunagu.importers.mhlw.clean import (
    C_FAX,
    C_PHONE,
    FIELDS,
    SERVICE_NAMES,
    Office,
    Row,
    city_key,
    clean_row,
    learn_area_codes,
    merge_offices,
    service_code,
    tidy,
)
from tsunagu.yamlio.roundtrip import dump, plain, put, round_trip

DATASET = "介護サービス情報公表システム（厚生労働省）"
LICENSE = "CC BY 4.0"
HEADER = ("介護サービス情報公表システム（厚生労働省）のオープンデータから作成（CC BY 4.0）。\n"
          "どの項目も編集できます。再取り込みでも編集した項目はそのまま残ります。source は変更しないでください。")
TOP_ORDER = FIELDS + ("maintainers", "status", "notes", "source")
ORIGINAL_ORDER = FIELDS + ("city",)
_STEM_NUMBER = re.compile(r"^mhlw-([0-9a-z]{10})$")
UNPLACED_HINT = "add the town to area_map in site.yaml, or give --default-area AREA"


class ImportError_(TsunaguError):
    """The import cannot start: bad options or site settings."""


@dataclass
class Options:
    """What a person asked for on the command line."""

    cities: list[str]
    today: dt.date
    published: dt.date
    default_area: str | None = None
    new_services: bool = True


@dataclass
class Change:
    """One provider file as the import leaves it."""

    path: str                 # providers/<id>.yaml
    kind: str                 # added | updated | unchanged
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


def _yaml_value(key: str, value: Any) -> Any:
    if isinstance(value, list):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        return seq
    if key in ("office_number", "city"):
        return DoubleQuotedScalarString(value)
    return value


def place(address: str, city_name: str, area_map: dict[str, str]) -> str | None:
    """The area of an address: the longest area_map key after the city name, else the city's own entry."""
    at = address.find(city_name) if city_name else -1
    rest = address[at + len(city_name):] if at >= 0 else address
    found = [k for k in area_map if k and k in rest]
    if found:
        return area_map[max(found, key=len)]
    return area_map.get(city_name)


@dataclass
class SiteInfo:
    """What the import reads from site.yaml."""

    doc: CommentedMap
    areas: list[str]
    services: dict[str, str]
    area_map: dict[str, str]


def read_site(text: str, shown: str) -> SiteInfo:
    """site.yaml's areas, services and area_map; raises ImportError_ for what the import cannot use."""
    doc = round_trip().load(text)
    if not isinstance(doc, dict):
        raise ImportError_(f"{shown}: expected site settings (a mapping)")
    areas = [str(a) for a in doc.get("areas") or []]
    services = {str(k): str(v) for k, v in (doc.get("services") or {}).items()}
    area_map = {str(k): str(v) for k, v in (doc.get("area_map") or {}).items()}
    problems = []
    for key, area in area_map.items():
        if area not in areas:
            line = doc["area_map"].lc.key(key)[0] + 1
            problems.append(Problem(shown, line, f"area_map.{key}",
                                    f"expected one of the areas ({', '.join(areas)}); got {area!r}"))
    if problems:
        raise DataError(problems)
    return SiteInfo(cast(CommentedMap, doc), areas, services, area_map)


def add_services(site: SiteInfo, new: dict[str, str]) -> str:
    """site.yaml with new services appended, comments and layout kept."""
    services = site.doc["services"]
    last = list(services)[-1]
    for name, code in new.items():
        services[name] = DoubleQuotedScalarString(code)
    # A comment after the last service belongs to the next section: keep it after the new last one.
    comment = services.ca.items.pop(last, None)
    if comment:
        services.ca.items[list(services)[-1]] = comment
    return dump(site.doc)


def _index_existing(existing: dict[str, str], plan: Plan) -> dict[str, tuple[str, CommentedMap | None]]:
    """Existing provider files by office number: (file name, document or None if entered by hand)."""
    index: dict[str, tuple[str, CommentedMap | None]] = {}
    for name, text in existing.items():
        try:
            doc = round_trip().load(text)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not fatal
            plan.problems.append(Problem(f"providers/{name}", 0, "", f"cannot read as YAML ({type(exc).__name__}); left alone"))
            continue
        if not isinstance(doc, dict):
            continue
        source = doc.get("source") if isinstance(doc.get("source"), dict) else None
        original = source.get("original") if source and isinstance(source.get("original"), dict) else {}
        stem = _STEM_NUMBER.match(name.rsplit(".", 1)[0])
        number = original.get("office_number") or doc.get("office_number") or (stem[1].upper() if stem else None)
        if number:
            ours = source is not None and source.get("dataset") == DATASET
            index[str(number)] = (name, cast(CommentedMap, doc) if ours else None)
    return index


def _new_values(office: Office, names: dict[str, str]) -> dict[str, Any]:
    values = {k: office.values.get(k) for k in FIELDS}
    values["services"] = [names[c] for c in office.codes if c in names]
    if not re.fullmatch(r"[0-9A-Z]{10}", office.number):  # 介護医療院 numbers carry a letter (08B…)
        values["office_number"] = None
    return values


def _new_doc(office: Office, values: dict[str, Any], options: Options) -> CommentedMap:
    doc = CommentedMap()
    for key in FIELDS:
        if values.get(key) is not None:
            doc[key] = _yaml_value(key, values[key])
    doc["maintainers"] = _yaml_value("maintainers", [])
    doc["status"] = CommentedMap(updated=options.today, operation="open", new_clients="unknown",
                                 alternative_support="unknown", post_infection="unknown")
    doc["source"] = _source(office.files, values, office, options)
    doc.yaml_set_start_comment(HEADER)
    return doc


def _source(files: list[str], values: dict[str, Any], office: Office, options: Options) -> CommentedMap:
    # office_number and city always: re-imports find the office and its city by them.
    facts = {k: v for k, v in values.items() if v is not None} | {"office_number": office.number, "city": office.city}
    original = CommentedMap((k, _yaml_value(k, facts[k])) for k in ORIGINAL_ORDER if k in facts)
    return CommentedMap(dataset=DATASET, license=LICENSE, files=_yaml_value("files", files),
                        published=options.published, imported=options.today, original=original)


def _update_doc(doc: CommentedMap, office: Office, values: dict[str, Any], covered: set[str],
                files_read: set[str], codes: dict[str, str], options: Options, path: str,
                plan: Plan) -> list[tuple[str, Any, Any]]:
    """Apply a re-import to an existing document in place; returns the changed fields."""
    source = doc["source"]
    original = source.get("original")
    if not isinstance(original, dict):
        original = source["original"] = CommentedMap()
    old_original = plain(original)
    # Services of files not in this import are not known to be gone: keep them.
    kept_services = [s for s in old_original.get("services") or [] if codes.get(s) not in covered]
    values = dict(values)
    values["services"] = sorted(set(kept_services) | set(values["services"]),
                                key=lambda s: (codes.get(s, "999"), s))
    if values.get("area") is None:
        values["area"] = old_original.get("area")
    diffs = []
    for key in FIELDS:
        new, was, now = values.get(key), old_original.get(key), plain(doc.get(key))
        if now == was:
            if new != now:
                diffs.append((key, now, new))
                if new is None:
                    doc.pop(key, None)
                else:
                    put(doc, key, _yaml_value(key, new), TOP_ORDER)
        elif now != new:
            plan.kept.append((path, key, now, new))
    new_original = {k: v for k, v in values.items() if v is not None}
    new_original["office_number"] = office.number
    new_original["city"] = office.city
    old_files = [str(f) for f in source.get("files") or []]
    files = sorted({f for f in old_files if f not in files_read and service_code(f, "", {}) not in covered}
                   | set(office.files))
    touched = bool(diffs) or new_original != {k: v for k, v in old_original.items() if v is not None} \
        or files != old_files or "vanished" in source
    if not touched:
        return diffs
    for key in list(original):
        if key in ORIGINAL_ORDER and key not in new_original:
            del original[key]
    for key in ORIGINAL_ORDER:
        if key in new_original and plain(original.get(key)) != new_original[key]:
            put(original, key, _yaml_value(key, new_original[key]), ORIGINAL_ORDER)
    if files != old_files:
        source["files"] = _yaml_value("files", files)
    if "vanished" in source:
        diffs.append(("source.vanished", source["vanished"], None))
        del source["vanished"]
    source["published"] = options.published
    source["imported"] = options.today
    return diffs or [("source.original", None, None)]


def plan_import(files: list[str], rows: list[Row], site_text: str, existing: dict[str, str],
                options: Options, site_shown: str = "site.yaml") -> Plan:
    """Decide every change of an import from the rows read and the files as they are now; writes nothing."""
    keys = {city_key(c) for c in options.cities}
    mine = [r for r in rows if city_key(r.cells["都道府県コード又は市町村コード"]) in keys]
    plan = Plan(files, mine, len(rows) - len(mine))
    site = read_site(site_text, site_shown)
    if options.default_area is not None and options.default_area not in site.areas:
        raise ImportError_(f"--default-area: expected one of the areas in {site_shown} "
                           f"({', '.join(site.areas)}); got {options.default_area!r}")
    names: dict[str, str] = {}
    for name, code in site.services.items():
        names.setdefault(code, name)
    covered = {c for c in (service_code(f, "", {}) for f in files) if c}
    covered |= {c for c in (service_code(r.file, r.cells["サービスの種類"], site.services) for r in rows) if c}
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
                plan.problems.append(Problem(row.file, row.line, "サービスの種類",
                                             f"{record.kind} (code {record.code}) is not among the services of "
                                             f"{site_shown}; row not imported (--no-new-services)"))
                plan.reported_rows.add((row.file, row.line))
                continue
            name = SERVICE_NAMES.get(record.code) or tidy(record.kind)
            names[record.code] = name
            plan.new_services[name] = record.code
        records.append(record)
    plan.offices = merge_offices(records)
    index = _index_existing(existing, plan)
    codes = {name: code for code, name in names.items()} | site.services
    files_read = {Path(f).name for f in files}
    seen = set()
    for office in plan.offices:
        seen.add(office.number)
        values = _new_values(office, names)
        area = place(values["address"], office.city_name, site.area_map)
        found = index.get(office.number)
        stem = f"mhlw-{office.number.lower()}"
        if values["phone"] is None:
            plan.skipped.append((office, "no usable phone number (required); not written"))
            plan.reported_rows.update(office.rows)
            continue
        if found and found[1] is None:
            plan.skipped.append((office, f"already in providers/{found[0]} (entered by hand, no source block); left alone"))
            plan.reported_rows.update(office.rows)
            continue
        if area is None:
            if found or options.default_area:
                plan.unplaced.append((office, "area kept" if found else f"placed in {options.default_area}"))
                plan.reported_rows.update(office.rows)
            else:
                plan.unplaced.append((office, "not written"))
                plan.reported_rows.update(office.rows)
                continue
        values["area"] = area if area is not None else (None if found else options.default_area)
        if values["office_number"] is None:
            plan.problems.append(Problem(office.rows[0][0], office.rows[0][1], "事業所番号",
                                         f"{office.number} is not 10 digits or capital letters, "
                                         f"so it is kept in the file name {stem}.yaml only"))
        plan.imported_rows.update(office.rows)
        if found:
            name, doc = found
            path = f"providers/{name}"
            old = existing[name]
            assert doc is not None  # hand-entered files were skipped above
            diffs = _update_doc(doc, office, values, covered, files_read, codes, options, path, plan)
            text = dump(doc) if diffs else old
            plan.changes.append(Change(path, "updated" if text != old else "unchanged", values["name"], text, old, diffs))
        else:
            text = dump(_new_doc(office, values, options))
            plan.changes.append(Change(f"providers/{stem}.yaml", "added", values["name"], text))
    for number, (name, doc) in sorted(index.items(), key=lambda kv: kv[1][0]):
        if doc is None or number in seen:
            continue
        source, original = doc["source"], plain(doc["source"].get("original") or {})
        services = original.get("services") or []
        if city_key(str(original.get("city", ""))) not in keys or not services \
                or any(codes.get(s) not in covered for s in services):
            continue
        newly = "vanished" not in source
        path = f"providers/{name}"
        plan.vanished.append((path, str(doc.get("name", "")), newly))
        if newly:
            source["vanished"] = options.today
            plan.changes.append(Change(path, "updated", str(doc.get("name", "")), dump(doc), existing[name],
                                       [("source.vanished", None, options.today)]))
    if plan.new_services:
        plan.site_text = add_services(site, plan.new_services)
    return plan


