"""Records and their changes in words a care manager reads: one formatting for summaries, replies and 最近の変更."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tsunagu.domain.kinds import BY_NAME
from tsunagu.domain.labels import (
    ACCEPTANCE_JA,
    APPOINTMENT_JA,
    METHOD_JA,
    OPERATION_JA,
    STATUS_FIELDS_JA,
    VIA_JA,
    WEEKDAY_JA,
)

SECTIONS = {"status", "contact"}  # mappings whose fields are compared one by one
MAX_TEXT = 40
# Who confirmed and when: not a change of what the record says.
CONFIRMATION_KEYS = {"updated", "confirmed_via", "confirmed_by", "confirmed_with"}


def _text(value: str, whole: bool = False) -> str:
    one_line = " ／ ".join(line.strip() for line in value.strip().splitlines() if line.strip())
    return one_line if whole or len(one_line) <= MAX_TEXT else one_line[:MAX_TEXT] + "…"


def _named(key: str, value: Any) -> str | None:
    """A coded value by its Japanese name, or None when the key has no names."""
    names = {"operation": OPERATION_JA, "confirmed_via": VIA_JA}.get(key)
    if key in STATUS_FIELDS_JA:
        names = ACCEPTANCE_JA
    if names is not None and isinstance(value, str) and value in names:
        return names[value]
    return None


def format_value(path: str, value: Any, whole: bool = False) -> str:
    """A field's value as a person reads it (before any Markdown escaping); whole: long text not cut."""
    key = path.rsplit(".", 1)[-1]
    if value is None or value == "" or value == []:
        return "（なし）"
    if (named := _named(key, value)) is not None:
        return named
    if isinstance(value, bool):
        return APPOINTMENT_JA[value] if key == "appointment_required" else ("はい" if value else "いいえ")
    if isinstance(value, list):
        if key == "methods":
            return "・".join(METHOD_JA.get(m, str(m)) for m in value)
        return "、".join(window(w) if key == "windows" else str(w) for w in value)
    if isinstance(value, dict):
        return "（項目あり）"
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(str(value), whole)


def window(item: Any) -> str:
    """A contact window: 月・木 13:00-14:00（電話）, with （祝日も可） when it holds on holidays."""
    if not isinstance(item, dict):
        return str(item)
    days: list[Any] = item["days"] if isinstance(item.get("days"), list) else []
    text = f"{'・'.join(WEEKDAY_JA.get(d, str(d)) for d in days)} {item.get('time', '')}"
    methods = item.get("methods")
    text += f"（{format_value('methods', methods)}）" if methods else ""
    return text + ("（祝日も可）" if item.get("holidays") is True else "")


def flatten(value: Any) -> dict[str, Any]:
    """A record as dotted paths: status.new_clients, contact.windows, name …"""
    out: dict[str, Any] = {}
    for key, item in value.items() if isinstance(value, dict) else []:
        if key in SECTIONS and isinstance(item, dict):
            out.update({f"{key}.{k}": v for k, v in item.items()})
        else:
            out[str(key)] = item
    return out


def field_label(kind: str, path: str) -> str:
    """The Japanese label of a field of a kind of record."""
    return BY_NAME[kind].field_label(path)


def field_changes(
    kind: str, old: Any, new: Any, *, section: str | None = None, whole: bool = False
) -> list[tuple[str, str, str]]:
    """(label, before, after) per changed field; with a section, only its fields and not who confirmed when."""
    before, after = flatten(old), flatten(new)
    paths = list(after) + [p for p in before if p not in after]
    if section is not None:
        paths = [p for p in paths if p.startswith(section + ".") and p.split(".", 1)[1] not in CONFIRMATION_KEYS]
    return [
        (field_label(kind, p), format_value(p, before.get(p), whole), format_value(p, after.get(p), whole))
        for p in paths
        if before.get(p) != after.get(p)
    ]
