"""The sealed submission's plaintext (docs/relay-protocol.md § 5), read strictly: unknown keys, types or sizes refuse."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from tsunagu.contribute.links import RECEIPT_RE, REPLAY_RE, LinkRefused
from tsunagu.domain.models import Window

ACCEPTANCE = ("accepting", "conditional", "not_accepting", "unknown")
OPERATION = ("open", "reduced", "suspended", "closed")
METHODS = ("phone", "fax", "email", "visit", "ict", "letter")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_TEXT, MAX_VIA, MAX_NOTE, MAX_WINDOWS = 500, 100, 1000, 14
_KEYS = {"v", "type", "token", "replay", "receipt", "record", "confirm_only", "answers", "proxy", "note", "sent_at"}
_PROVIDER = {"new_clients", "alternative_support", "post_infection", "vacancies", "conditions", "operation"}
_PHYSICIAN = {"windows", "methods", "via", "appointment_required", "notes"}
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# A link in any spelling people or phishers use: a scheme, www., or a host name with a common top-level domain.
_URL = re.compile(
    r"(?i)([a-z][a-z0-9+.-]*:/*[^\s]|www\.|\b[a-z0-9-]+(\.[a-z0-9-]+)*\."
    r"(jp|com|net|org|info|biz|io|co|me|app|xyz|link|ly|to|cc|page|site|online|top|dev|ne|or|go|ac|lg)\b)"
)


@dataclass
class Submission:
    """What the page sent, checked for shape only (the token and the record are checked by `apply`)."""

    type: str
    token: str
    replay: str
    receipt: str
    kind: str
    record_id: str
    confirm_only: bool
    answers: dict[str, Any] = field(default_factory=dict)
    proxy: dict[str, str] | None = None
    note: str | None = None


def has_url(text: str) -> bool:
    """Whether free text holds anything a reader could take for a link (full-width spellings too)."""
    return bool(_URL.search(unicodedata.normalize("NFKC", text)))


def _invalid() -> LinkRefused:
    return LinkRefused("invalid")


def _text(value: Any, limit: int, *, lines: bool) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or _BAD_CHARS.search(value) or (not lines and "\n" in value):
        raise _invalid()
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    return value or None


def _choice(value: Any, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise _invalid()
    return value


def _list(value: Any, options: tuple[str, ...], *, ranked: bool = False) -> list[str]:
    """A list of codes without repeats: in the sender's order when it ranks them (methods), else in `options` order."""
    if not isinstance(value, list) or len(value) > len(options) or len(set(map(str, value))) != len(value):
        raise _invalid()
    chosen = [_choice(v, options) for v in value]
    return chosen if ranked else [o for o in options if o in chosen]


def _window(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"days", "time", "methods"} or not {"days", "time"} <= set(value):
        raise _invalid()
    days = _list(value["days"], DAYS)
    if not days or not isinstance(value["time"], str):
        raise _invalid()
    try:
        time = Window.model_validate({"days": days, "time": value["time"]}).time
    except ValueError:
        raise _invalid() from None
    out: dict[str, Any] = {"days": days, "time": time}
    if methods := _list(value.get("methods", []), METHODS):
        out["methods"] = methods
    return out


def _count(value: Any) -> int | None:
    if value is not None and (type(value) is not int or not 0 <= value <= 10000):
        raise _invalid()
    return value


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise _invalid()
    return value


def _windows(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > MAX_WINDOWS:
        raise _invalid()
    return [_window(w) for w in value]


_READERS: dict[str, Any] = {
    **{k: lambda v: _choice(v, ACCEPTANCE) for k in ("new_clients", "alternative_support", "post_infection")},
    "operation": lambda v: _choice(v, OPERATION),
    "vacancies": _count,
    "conditions": lambda v: _text(v, MAX_TEXT, lines=True),
    "notes": lambda v: _text(v, MAX_TEXT, lines=True),
    "via": lambda v: _text(v, MAX_VIA, lines=False),
    "appointment_required": _flag,
    "methods": lambda v: _list(v, METHODS, ranked=True),
    "windows": _windows,
}


def _answers(kind: str, raw: Any) -> dict[str, Any]:
    allowed = _PROVIDER if kind == "provider" else _PHYSICIAN
    if not isinstance(raw, dict) or set(raw) - allowed:
        raise _invalid()
    return {key: _READERS[key](value) for key, value in raw.items()}


def parse_submission(plaintext: bytes, receipt: str) -> Submission:
    """The plaintext of a sealed blob as a Submission, or LinkRefused('invalid')."""
    try:
        data = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _invalid() from None
    if not isinstance(data, dict) or set(data) != _KEYS or data["v"] != 1 or data["type"] not in ("update", "note"):
        raise _invalid()
    record = data["record"]
    if (
        not isinstance(record, dict)
        or set(record) != {"kind", "id"}
        or record["kind"] not in ("provider", "physician")
        or not isinstance(record["id"], str)
        or not isinstance(data["token"], str)
    ):
        raise _invalid()
    if (
        not isinstance(data["replay"], str)
        or not REPLAY_RE.match(data["replay"])
        or data["receipt"] != receipt
        or not RECEIPT_RE.match(receipt)
        or type(data["confirm_only"]) is not bool
    ):
        raise _invalid()
    answers = _answers(record["kind"], data["answers"])
    proxy = data["proxy"]
    if proxy is not None:
        if (
            not isinstance(proxy, dict)
            or set(proxy) != {"via", "with"}
            or proxy["via"] not in ("phone", "fax")
            or not (whom := _text(proxy["with"], MAX_VIA, lines=False))
        ):
            raise _invalid()
        proxy = {"via": proxy["via"], "with": whom}
    note = _text(data["note"], MAX_NOTE, lines=True)
    if data["type"] == "note":
        if not note or answers or data["confirm_only"] or proxy:
            raise _invalid()
    elif note is not None or (data["confirm_only"] and answers) or (not data["confirm_only"] and not answers):
        raise _invalid()
    if data["sent_at"] is not None and not isinstance(data["sent_at"], str):
        raise _invalid()
    return Submission(
        data["type"],
        data["token"],
        data["replay"],
        receipt,
        record["kind"],
        record["id"],
        data["confirm_only"],
        answers,
        proxy,
        note,
    )
