"""Provider documents as the importer writes them: new ones, and re-imports that keep people's edits."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from tsunagu.domain.errors import Problem
from tsunagu.importers.mhlw.clean import FIELDS, Office, service_code
from tsunagu.yamlio.roundtrip import plain, put, round_trip

DATASET = "介護サービス情報公表システム（厚生労働省）"
LICENSE = "CC BY 4.0"
HEADER = (
    "介護サービス情報公表システム（厚生労働省）のオープンデータから作成（CC BY 4.0）。\n"
    "どの項目も編集できます。再取り込みでも編集した項目はそのまま残ります。source は変更しないでください。"
)
TOP_ORDER = FIELDS + ("maintainers", "status", "notes", "source")
ORIGINAL_ORDER = FIELDS + ("city",)
_STEM_NUMBER = re.compile(r"^mhlw-([0-9a-z]{10})$")


@dataclass
class Options:
    """What a person asked for on the command line."""

    cities: list[str]
    today: dt.date
    published: dt.date
    default_area: str | None = None
    new_services: bool = True


def _yaml_value(key: str, value: Any) -> Any:
    if isinstance(value, list):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        return seq
    if key in ("office_number", "city"):
        return DoubleQuotedScalarString(value)
    return value


def index_existing(existing: dict[str, str], problems: list[Problem]) -> dict[str, tuple[str, CommentedMap | None]]:
    """Existing provider files by office number: (file name, document or None if entered by hand)."""
    index: dict[str, tuple[str, CommentedMap | None]] = {}
    for name, text in existing.items():
        try:
            doc = round_trip().load(text)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not fatal
            problems.append(
                Problem(f"providers/{name}", 0, "", f"cannot read as YAML ({type(exc).__name__}); left alone")
            )
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


def new_values(office: Office, names: dict[str, str]) -> dict[str, Any]:
    values = {k: office.values.get(k) for k in FIELDS}
    values["services"] = [names[c] for c in office.codes if c in names]
    if not re.fullmatch(r"[0-9A-Z]{10}", office.number):  # 介護医療院 numbers carry a letter (08B…)
        values["office_number"] = None
    return values


def new_doc(office: Office, values: dict[str, Any], options: Options) -> CommentedMap:
    doc = CommentedMap()
    for key in FIELDS:
        if values.get(key) is not None:
            doc[key] = _yaml_value(key, values[key])
    doc["maintainers"] = _yaml_value("maintainers", [])
    # No status.updated: nobody has confirmed anything yet; source.imported carries the import date.
    doc["status"] = CommentedMap(
        operation="open", new_clients="unknown", alternative_support="unknown", post_infection="unknown"
    )
    doc["source"] = _source(office.files, values, office, options)
    doc.yaml_set_start_comment(HEADER)
    return doc


def _source(files: list[str], values: dict[str, Any], office: Office, options: Options) -> CommentedMap:
    # office_number and city always: re-imports find the office and its city by them.
    facts = {k: v for k, v in values.items() if v is not None} | {"office_number": office.number, "city": office.city}
    original = CommentedMap((k, _yaml_value(k, facts[k])) for k in ORIGINAL_ORDER if k in facts)
    return CommentedMap(
        dataset=DATASET,
        license=LICENSE,
        files=_yaml_value("files", files),
        published=options.published,
        imported=options.today,
        original=original,
    )


def _merge_fields(
    doc: CommentedMap,
    values: dict[str, Any],
    old_original: dict[str, Any],
    path: str,
    kept: list[tuple[str, str, Any, Any]],
) -> list[tuple[str, Any, Any]]:
    """Take the open data's value of each field nobody edited by hand; keep (and report) the edited ones."""
    diffs = []
    for key in FIELDS:
        new, was, now = values.get(key), old_original.get(key), plain(doc.get(key))
        if now != was:
            if now != new:
                kept.append((path, key, now, new))
        elif new != now:
            diffs.append((key, now, new))
            if new is None:
                doc.pop(key, None)
            else:
                put(doc, key, _yaml_value(key, new), TOP_ORDER)
    return diffs


def _set_original(original: CommentedMap, facts: dict[str, Any]) -> None:
    """Make source.original hold the facts as imported now, changing only what differs."""
    for key in list(original):
        if key in ORIGINAL_ORDER and key not in facts:
            del original[key]
    for key in ORIGINAL_ORDER:
        if key in facts and plain(original.get(key)) != facts[key]:
            put(original, key, _yaml_value(key, facts[key]), ORIGINAL_ORDER)


def update_doc(
    doc: CommentedMap,
    office: Office,
    values: dict[str, Any],
    covered: set[str],
    files_read: set[str],
    codes: dict[str, str],
    options: Options,
    path: str,
    kept: list[tuple[str, str, Any, Any]],
) -> list[tuple[str, Any, Any]]:
    """Apply a re-import to an existing document in place; returns the changed fields."""
    source = doc["source"]
    original = source.get("original")
    if not isinstance(original, dict):
        original = source["original"] = CommentedMap()
    old_original = plain(original)
    # Services of files not in this import are not known to be gone: keep them.
    kept_services = [s for s in old_original.get("services") or [] if codes.get(s) not in covered]
    values = dict(values)
    values["services"] = sorted(set(kept_services) | set(values["services"]), key=lambda s: (codes.get(s, "999"), s))
    if values.get("area") is None:
        values["area"] = old_original.get("area")
    diffs = _merge_fields(doc, values, old_original, path, kept)
    new_original = {k: v for k, v in values.items() if v is not None}
    new_original["office_number"] = office.number
    new_original["city"] = office.city
    old_files = [str(f) for f in source.get("files") or []]
    files = sorted(
        {f for f in old_files if f not in files_read and service_code(f, "", {}) not in covered} | set(office.files)
    )
    touched = (
        bool(diffs)
        or new_original != {k: v for k, v in old_original.items() if v is not None}
        or files != old_files
        or "vanished" in source
    )
    if not touched:
        return diffs
    _set_original(original, new_original)
    if files != old_files:
        source["files"] = _yaml_value("files", files)
    if "vanished" in source:
        diffs.append(("source.vanished", source["vanished"], None))
        del source["vanished"]
    source["published"] = options.published
    source["imported"] = options.today
    return diffs or [("source.original", None, None)]
