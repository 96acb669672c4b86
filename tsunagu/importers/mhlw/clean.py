"""Read the MHLW care-service open data as published and clean each row into an office record."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

from pydantic import TypeAdapter, ValidationError

from tsunagu.domain import models
from tsunagu.domain.errors import Problem
from tsunagu.domain.services import SERVICE_NAMES
from tsunagu.domain.text import forbidden_character, strip_forbidden
from tsunagu.importers.mhlw.cells import (
    clean_address,
    clean_capacity,
    clean_kana,
    clean_phone,
    clean_url,
    compose_hours,
    tidy,
)
from tsunagu.importers.mhlw.read import (
    C_ADDRESS,
    C_CAPACITY,
    C_CITY,
    C_CITY_NAME,
    C_DAYS,
    C_DAYS_NOTE,
    C_EXTRA,
    C_FAX,
    C_KANA,
    C_KIND,
    C_NAME,
    C_NUMBER,
    C_PHONE,
    C_PREF,
    C_URL,
    Row,
)

# The fields an import owns, in the order new files list them.
FIELDS = (
    "name",
    "name_kana",
    "office_number",
    "services",
    "area",
    "address",
    "phone",
    "fax",
    "email",
    "url",
    "capacity",
    "hours",
)

_FILE_CODE = re.compile(r"jigyosho_(\d{3})\.csv$", re.I)
_NUMBER_RE = re.compile(r"^[0-9A-Z]{10}$")
# The optional facts a row gives, by the column they come from (name and number are checked on their own).
_COLUMN_OF = {
    "name_kana": C_KANA,
    "phone": C_PHONE,
    "fax": C_FAX,
    "email": C_URL,
    "url": C_URL,
    "capacity": C_CAPACITY,
    "hours": C_DAYS_NOTE,
}


@dataclass
class Record:
    """One row cleaned: the office's facts as this service's file gives them."""

    file: str
    line: int
    number: str
    city: str
    city_name: str
    code: str
    kind: str
    values: dict[str, Any]


@dataclass
class Office:
    """One 事業所番号: its records merged into one set of facts."""

    number: str
    city: str
    city_name: str
    values: dict[str, Any]
    codes: list[str]
    kinds: dict[str, str]
    files: list[str]
    rows: list[tuple[str, int]] = field(default_factory=list)


def _norm_kind(name: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    return text.removeprefix("指定")


def service_code(file_name: str, kind: str, vocabulary: dict[str, str]) -> str | None:
    """The service code of a row: from the file name, else from the NFKC-normalised service name."""
    match = _FILE_CODE.search(file_name)
    if match:
        return match.group(1)
    names = {_norm_kind(name): code for code, name in SERVICE_NAMES.items()}  # the table is code -> name
    names.update({_norm_kind(n): c for n, c in vocabulary.items()})
    key = _norm_kind(kind)
    # `看護小規模多機能型居宅介護（複合型サービス）`: an old name in brackets after the current one.
    return names.get(key) or names.get(re.sub(r"\([^()]*\)$", "", key))


@functools.cache
def _field_check(key: str) -> TypeAdapter[Any]:
    """The validator's own rule for one provider field (type and bounds), so both sides always agree."""
    info = models.Provider.model_fields[key]
    if not info.metadata:
        return TypeAdapter(cast(Any, info.annotation))
    return TypeAdapter(cast(Any, Annotated[(info.annotation, *info.metadata)]))  # type: ignore[valid-type]


def refused_by_validator(key: str, value: Any) -> str | None:
    """Why the validator would refuse this imported value, or None; the importer never writes such a value."""
    if value is None or key not in models.Provider.model_fields:
        return None
    try:
        _field_check(key).validate_python(value)
    except ValidationError as exc:
        return exc.errors()[0]["msg"]
    return None


def _without_controls(cells: dict[str, str], bad: Any) -> dict[str, str]:
    """Cells without control characters, escape sequences or bidi overrides; each removal is reported."""
    out = {}
    for column, cell in cells.items():
        found = forbidden_character(cell.replace("\r", ""), multiline=True)  # line breaks are tidied later
        if found:
            bad(column, f"{found[1]} removed from the value")
            cell = strip_forbidden(cell, multiline=True)
        out[column] = cell
    return out


def clean_row(row: Row, area_codes: set[str], vocabulary: dict[str, str]) -> tuple[Record | None, list[Problem]]:
    """One row to a record; each messy value it could not use becomes a problem, not a failure."""
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(row.file, row.line, column, message))

    c = _without_controls(row.cells, bad)

    number = unicodedata.normalize("NFKC", c[C_NUMBER]).strip().upper()
    if not _NUMBER_RE.match(number):
        bad(C_NUMBER, f"expected a 10-character office number; got {c[C_NUMBER]!r}; row not imported")
        return None, problems
    code = service_code(row.file, c[C_KIND], vocabulary)
    if code is None:
        bad(C_KIND, f"unknown service {c[C_KIND]!r} (no code in the file name either); row not imported")
        return None, problems
    values: dict[str, Any] = {"name": tidy(c[C_NAME]) or None, "office_number": number}
    if not values["name"]:
        bad(C_NAME, "empty; row not imported")
        return None, problems
    values["address"] = clean_address(c[C_ADDRESS], c[C_EXTRA], c[C_PREF], c[C_CITY_NAME])
    for key, column, clean in (
        ("name_kana", C_KANA, clean_kana),
        ("capacity", C_CAPACITY, clean_capacity),
        ("phone", C_PHONE, lambda v: clean_phone(v, area_codes)),
        ("fax", C_FAX, lambda v: clean_phone(v, area_codes)),
    ):
        try:
            values[key] = clean(c[column])
        except ValueError as exc:
            values[key] = None
            message = str(exc).splitlines()[0]
            bad(column, message if message.endswith("left out") else f"{message}; left out")
    try:
        values["url"], values["email"] = clean_url(c[C_URL])
    except ValueError as exc:
        values["url"] = values["email"] = None
        bad(C_URL, str(exc))
    values["hours"] = compose_hours(c[C_DAYS], c[C_DAYS_NOTE])
    for key, column in _COLUMN_OF.items():
        why = refused_by_validator(key, values.get(key))
        if why:
            values[key] = None
            bad(column, f"{why}: {c[column]!r}; left out (the data check would refuse it)")
    city_name = tidy(c[C_CITY_NAME]).replace(" ", "")
    city = unicodedata.normalize("NFKC", c[C_CITY]).strip()
    return Record(row.file, row.line, number, city, city_name, code, c[C_KIND], values), problems


def pick(values: list[Any]) -> Any:
    """The value most rows agree on; on a tie the shortest, then the first (files in code order)."""
    present = [v for v in values if v not in (None, "")]
    if not present:
        return None
    counts = Counter(present)
    order = {v: i for i, v in reversed(list(enumerate(present)))}
    return min(counts, key=lambda v: (-counts[v], len(str(v)), order[v]))


def merge_offices(records: list[Record]) -> list[Office]:
    """One office per 事業所番号, its services from every file it appears in."""
    groups: dict[str, list[Record]] = {}
    for record in sorted(records, key=lambda r: (r.code, r.file, r.line)):
        groups.setdefault(record.number, []).append(record)
    offices = []
    for number, group in sorted(groups.items()):
        keys = [k for k in group[0].values]
        values = {k: pick([r.values[k] for r in group]) for k in keys}
        kinds = {r.code: r.kind for r in group}
        offices.append(
            Office(
                number,
                pick([r.city for r in group]),
                pick([r.city_name for r in group]),
                values,
                sorted(kinds),
                kinds,
                sorted({r.file for r in group}),
                [(r.file, r.line) for r in group],
            )
        )
    return offices
