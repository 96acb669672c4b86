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
from tsunagu.domain.fields import EMAIL_RE, KATAKANA_RE, URL_RE, combine_voiced_marks, normalize_kana, normalize_phone
from tsunagu.domain.services import SERVICE_NAMES
from tsunagu.domain.text import forbidden_character, strip_forbidden
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
FIELDS = ("name", "name_kana", "office_number", "services", "area", "address", "phone", "fax",
          "email", "url", "capacity", "hours")

_FILE_CODE = re.compile(r"jigyosho_(\d{3})\.csv$", re.I)
_NUMBER_RE = re.compile(r"^[0-9A-Z]{10}$")
_WIDE = re.compile(r"[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF61-\uFF9F]+")
_DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s*[‐‑‒–—―−ー－-]\s*(?=\d)")
_NEWLINE_MARK = re.compile(r"[（(]改行[）)]")
_TLDS = ("jp", "com", "net", "org", "info", "biz")
# The optional facts a row gives, by the column they come from (name and number are checked on their own).
_COLUMN_OF = {"name_kana": C_KANA, "phone": C_PHONE, "fax": C_FAX, "email": C_URL,
              "url": C_URL, "capacity": C_CAPACITY, "hours": C_DAYS_NOTE}


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


def check_city(code: str) -> str | None:
    """The problem with a --city code, or None: 6 digits with a valid check digit, or 5 digits."""
    if not re.fullmatch(r"\d{5}|\d{6}", code):
        return f"expected a local government code such as 082015 (or its 5 digits 08201); got {code!r}"
    if len(code) == 6:
        digit = city_check_digit(code[:5])
        if int(code[5]) != digit:
            return f"check digit of {code} should be {digit} ({code[:5]}{digit})"
    return None


def city_check_digit(five: str) -> int:
    """The check digit of a local government code (weights 6..2, modulus 11, ones digit)."""
    total = sum(int(d) * w for d, w in zip(five, (6, 5, 4, 3, 2), strict=False))
    return (11 - total % 11) % 10


def city_key(code: str) -> str:
    """The 5 digits that identify a municipality, with or without the check digit."""
    return unicodedata.normalize("NFKC", code).strip()[:5]


def tidy(text: str) -> str:
    """Full-width letters and digits to half-width, half-width kana to full-width, spaces collapsed."""
    text = _NEWLINE_MARK.sub(" ", text or "")
    text = combine_voiced_marks(_WIDE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text))
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


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


def learn_area_codes(numbers: list[str]) -> set[str]:
    """Area codes (市外局番) as written with hyphens in the same data, to hyphenate the others."""
    codes = set()
    for raw in numbers:
        text = unicodedata.normalize("NFKC", raw or "")
        text = re.sub(r"[‐‑‒–—―−ー－]", "-", text).replace(" ", "")
        match = re.fullmatch(r"(0\d{1,4})-(\d{1,4})-(\d{4})", text)
        if match and len(match[1]) + len(match[2]) == 6 and not re.match(r"0(120|800|[5789]0)", text):
            codes.add(match[1])
    return codes


def clean_phone(raw: str, area_codes: set[str]) -> str | None:
    """A phone or FAX number with the usual hyphens; raises ValueError if it is not one."""
    if not (raw or "").strip():
        return None
    text = normalize_phone(raw)
    if text.count("-") == 2:
        return text
    digits = text.replace("-", "")
    if re.match(r"0[5789]0", digits) and len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if digits.startswith("0120") and len(digits) == 10:
        return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    known = [c for c in area_codes if digits.startswith(c)]
    if len(digits) == 10 and known:
        code = max(known, key=len)
        return f"{code}-{digits[len(code):6]}-{digits[6:]}"
    return text


def clean_url(raw: str) -> tuple[str | None, str | None]:
    """(url, email) from the URL cell; raises ValueError for a value that is neither."""
    text = unicodedata.normalize("NFKC", raw or "").strip().removeprefix("mailto:")
    if not text:
        return None, None
    if EMAIL_RE.match(text):
        return None, text
    # `http//x`, `https:/x`, `htpps://x`: a scheme with a typo, still clearly meant.
    match = re.match(r"([A-Za-z]{3,6})[:;]*/+", text)
    # Host names never hold a comma: `www.kuribara.co,jp` is a typo for a dot.
    text = re.sub(r"^([^/]*//)?([^/]*)", lambda m: (m[1] or "") + m[2].replace(",", "."), text)
    if match and set(match[1].lower()) <= set("htps") and "t" in match[1].lower():
        text = ("https://" if match[1].lower().endswith("s") else "http://") + text[match.end():]
    elif text.lower().startswith("www.") or re.fullmatch(
            rf"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.({'|'.join(_TLDS)})(/\S*)?", text, re.I):
        # Only http is sure to answer: an https-only site redirects from it, the reverse does not hold.
        text = "http://" + text
    if not URL_RE.match(text):
        raise ValueError(f"not a web address or e-mail: {raw!r}; left out")
    return text, None


def clean_kana(raw: str) -> str | None:
    """Katakana reading: half-width kana widened, hiragana turned to katakana; ValueError otherwise."""
    text = normalize_kana(tidy(raw))
    if not text:
        return None
    if not KATAKANA_RE.match(text):
        raise ValueError(f"not a katakana reading: {raw!r}; left out")
    return text


def clean_capacity(raw: str) -> int | None:
    """定員 as a number; 0 and empty mean unknown (72% of the national rows)."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"not a number: {raw!r}; left out")
    if re.fullmatch(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", text):
        # A date typed into the capacity column (e.g. 20170814) is in the national open data.
        raise ValueError(f"looks like a date, not a capacity: {raw!r}; left out")
    return int(text) or None


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


def clean_address(address: str, extra: str, pref: str, city: str) -> str:
    """Prefecture and city in front, 方書 once after a space, digits and hyphens half-width."""
    text = re.sub(r"\s+", "", tidy(address))
    text = _DASH_BETWEEN_DIGITS.sub("-", text)
    building = _DASH_BETWEEN_DIGITS.sub("-", tidy(extra))
    if building:
        squeezed = building.replace(" ", "")
        if text.endswith(squeezed):
            text = text[: -len(squeezed)]
        else:
            text = text.replace(squeezed, "")
    pref, city = tidy(pref).replace(" ", ""), tidy(city).replace(" ", "")
    text = text.removeprefix(pref).removeprefix(city)
    return f"{pref}{city}{text} {building}".strip()


def compose_hours(days: str, note: str) -> str | None:
    """利用可能曜日 and its note as one line, e.g. `平日・土曜日 ※年末年始は休業`."""
    day_list = [d for d in re.split(r"[,、，]", tidy(days)) if d.strip()]
    text = "・".join(d.strip() for d in day_list)
    note = tidy(note)
    if note:
        text = f"{text} ※{note}" if text else note
    if len(text) > 200:
        text = text[:199] + "…"
    return text or None


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
    for key, column, clean in (("name_kana", C_KANA, clean_kana), ("capacity", C_CAPACITY, clean_capacity),
                               ("phone", C_PHONE, lambda v: clean_phone(v, area_codes)),
                               ("fax", C_FAX, lambda v: clean_phone(v, area_codes))):
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
        offices.append(Office(number, pick([r.city for r in group]), pick([r.city_name for r in group]), values,
                              sorted(kinds), kinds, sorted({r.file for r in group}),
                              [(r.file, r.line) for r in group]))
    return offices
