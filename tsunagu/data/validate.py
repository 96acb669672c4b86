"""Validate stage: documents to typed models, or every problem of the run at once."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tsunagu.data.load import Tree
from tsunagu.data.messages import model_problems, quoted
from tsunagu.domain.directory import Directory, NoticeRecord
from tsunagu.domain.errors import DataError, Problem
from tsunagu.domain.fields import ID_RE
from tsunagu.domain.kinds import KINDS
from tsunagu.domain.models import Notice, Site
from tsunagu.search.textsearch import normalize
from tsunagu.yamlio.strict import Document, Path_, field_label

_NOTICE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9-]*$")


def _expect_in(doc: Document, loc: Path_, value: str, allowed: list[str], what: str) -> Problem | None:
    if value in allowed:
        return None
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    if len(allowed) <= 8:
        expected = f"expected one of {', '.join(allowed)}"
    else:
        expected = f"expected one of the {what} in site.yaml"
    return Problem(doc.path, doc.line(loc), field_label(loc), f"{expected}; got {quoted(value)}{hint}")


def _not_future(doc: Document, loc: Path_, value: dt.date | None, today: dt.date) -> Problem | None:
    if value is None or value <= today:
        return None
    return Problem(
        doc.path,
        doc.line(loc),
        field_label(loc),
        f"date is in the future (today is {today.isoformat()}); got {value.isoformat()}",
    )


@functools.cache
def _has_field(model: type[BaseModel], name: str) -> bool:
    """Whether a model has a field (pydantic's model_fields takes tens of microseconds a call)."""
    return name in model.model_fields


def _stem(path: str) -> str:
    """PurePosixPath(path).stem, without building a path object for each of thousands of records."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _record_id(doc: Document, problems: list[Problem]) -> str:
    stem = _stem(doc.path)
    if not ID_RE.match(stem):
        problems.append(
            Problem(
                doc.path,
                0,
                "",
                f"file name must be an id of lower-case letters, digits and "
                f"hyphens (2-64 characters), such as day-sakura.yaml; got {stem!r}",
            )
        )
    value = doc.value.get("id") if isinstance(doc.value, dict) else None
    if value is not None and value != stem:
        problems.append(
            Problem(doc.path, doc.line(("id",)), "id", f"must equal the file name {stem!r}; got {quoted(value)}")
        )
    return stem


def _validate_site(doc: Document | None, problems: list[Problem]) -> Site | None:
    if doc is None:
        return None
    if not isinstance(doc.value, dict):
        problems.append(Problem(doc.path, 1, "", "expected a mapping of settings"))
        return None
    site, found = model_problems(doc, Site, doc.value)
    problems.extend(found)
    if site:
        for town, area in site.area_map.items():
            if p := _expect_in(doc, ("area_map", town), area, site.areas, "areas"):
                problems.append(p)
        problems.extend(_same_search_words(doc, site))
    return site


def _same_search_words(doc: Document, site: Site) -> list[Problem]:
    """Two synonyms that search reads as one word (ﾃﾞｲ and デイ): which one counts would be a guess."""
    seen: dict[str, str] = {}
    out = []
    for word in site.synonyms:
        key = normalize(word)
        if key in seen:
            out.append(
                Problem(
                    doc.path,
                    doc.line(("synonyms", word)),
                    f"synonyms.{word}",
                    f"search reads this word as the same as {seen[key]!r}; keep one of them",
                )
            )
        seen.setdefault(key, word)
    return out


def _validate_record(
    doc: Document, model: type[BaseModel], site: Site | None, today: dt.date, problems: list[Problem]
) -> Any:
    rid = _record_id(doc, problems)
    if not isinstance(doc.value, dict):
        problems.append(Problem(doc.path, 1, "", "expected a mapping of fields (name: …, area: …)"))
        return None
    record, found = model_problems(doc, model, {**doc.value, "id": rid})
    problems.extend(found)
    # Vocabulary and date checks read the raw values, so they report even when the model failed.
    raw = doc.value
    if site:
        if isinstance(raw.get("area"), str) and (p := _expect_in(doc, ("area",), raw["area"], site.areas, "areas")):
            problems.append(p)
        services = raw.get("services") if _has_field(model, "services") else None
        for i, service in enumerate(services if isinstance(services, list) else []):
            if isinstance(service, str) and (
                p := _expect_in(doc, ("services", i), service, list(site.services), "services")
            ):
                problems.append(p)
    section = next(k.section for k in KINDS if k.model is model)
    block = raw.get(section)
    updated = block.get("updated") if isinstance(block, dict) else None
    current = getattr(record, section, None)
    if current is not None and current.updated is None and getattr(current, "answered", True):
        # Only an entry nobody has answered yet may go without a confirmation date.
        problems.append(
            Problem(
                doc.path,
                doc.line((section,)),
                f"{section}.updated",
                "required once the status is answered (a date such as 2026-11-20); got none",
            )
        )
    if isinstance(updated, dt.date):
        loc = (section, "updated")
        if p := _not_future(doc, loc, updated, today):
            problems.append(p)
    return record


def _validate_notice(doc: Document, today: dt.date, problems: list[Problem]) -> NoticeRecord | None:
    stem = Path(doc.path).stem
    if not _NOTICE_NAME.match(stem):
        problems.append(
            Problem(doc.path, 0, "", f"notice file name must be YYYY-MM-DD-slug.md; got {Path(doc.path).name!r}")
        )
    if not isinstance(doc.value, dict):
        problems.append(Problem(doc.path, 2, "", "expected front matter with title and date"))
        return None
    meta, found = model_problems(doc, Notice, doc.value)
    problems.extend(found)
    if meta and (p := _not_future(doc, ("date",), meta.date, today)):
        problems.append(p)
    return NoticeRecord(stem, meta, doc.body) if meta else None


def validate_tree(tree: Tree, today: dt.date) -> Directory:
    """Check every document; raise DataError with all problems, or return the Directory."""
    problems: list[Problem] = list(tree.problems)
    site = _validate_site(tree.site, problems)
    records = {k.folder: [_validate_record(d, k.model, site, today, problems) for d in tree.docs(k)] for k in KINDS}
    notices = [_validate_notice(d, today, problems) for d in tree.notices]
    files: dict[str, str] = {}
    for doc in tree.providers + tree.physicians:
        rid = _stem(doc.path)
        if rid in files:
            problems.append(Problem(doc.path, 0, "", f"id {rid!r} is already used by {files[rid]}"))
        else:
            files[rid] = doc.path
    if problems:
        raise DataError(problems)
    assert site is not None
    return Directory(site, records["providers"], records["physicians"], [n for n in notices if n], files)
