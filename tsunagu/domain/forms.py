"""The update issue forms: their fields (shared with intake) and prefilled URLs for the site's links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from tsunagu.domain.kinds import BY_NAME
from tsunagu.domain.labels import (
    ACCEPTANCE_JA,
    APPOINTMENT_JA,
    METHOD_JA,
    OPERATION_JA,
    STATUS_FIELDS_JA,
    VIA_FORM_JA,
    WEEKDAY_JA,
)
from tsunagu.domain.models import Record

UPDATE = "内容を更新する"
CONFIRM = "変更なしで確認する"
NO_RESPONSE = "_No response_"  # what GitHub writes for a field left empty
CLEAR = "-"  # a lone hyphen empties an optional field


@dataclass(frozen=True)
class FormField:
    """One field of an issue form: its id (URL parameter), label (### heading) and choices."""

    id: str
    label: str
    type: str  # input | textarea | dropdown
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """An issue form under .github/ISSUE_TEMPLATE/."""

    kind: str  # provider | physician
    template: str
    title: str
    fields: tuple[FormField, ...]

    def field(self, field_id: str) -> FormField:
        """The field with this id."""
        return next(f for f in self.fields if f.id == field_id)


_ACTION = FormField("action", "更新の種類", "dropdown", (UPDATE, CONFIRM))
_ACCEPTANCE = tuple(ACCEPTANCE_JA.values())
_CONFIRMATION = (
    FormField("confirmed_via", "確認方法", "dropdown", tuple(VIA_FORM_JA.values())),
    FormField("confirmed_with", "確認した相手（電話・FAX のとき）", "input"),
)

PROVIDER_FORM = Form(
    "provider",
    "status-update.yml",
    "[状況更新] ",
    (
        FormField("record_id", "事業所ID", "input"),
        _ACTION,
        FormField("operation", "営業状況", "dropdown", tuple(OPERATION_JA.values())),
        *(FormField(key, label, "dropdown", _ACCEPTANCE) for key, label in STATUS_FIELDS_JA.items()),
        FormField("vacancies", "空き（人数）", "input"),
        FormField("conditions", "受入条件", "textarea"),
        *_CONFIRMATION,
    ),
)

PHYSICIAN_FORM = Form(
    "physician",
    "contact-update.yml",
    "[連絡先更新] ",
    (
        FormField("record_id", "医師ID", "input"),
        _ACTION,
        FormField("methods", "連絡方法（希望順）", "input"),
        FormField("appointment_required", "面談の予約", "dropdown", tuple(APPOINTMENT_JA.values())),
        FormField("via", "取次ぎ（どなたに連絡すればよいか）", "input"),
        FormField("windows", "連絡しやすい時間帯", "textarea"),
        FormField("notes", "連絡時のお願い", "textarea"),
        *_CONFIRMATION,
    ),
)

FORMS = {"provider": PROVIDER_FORM, "physician": PHYSICIAN_FORM}


def format_windows(windows) -> str:
    """Contact windows in the form's text format, one per line: `月,木 13:00-14:00 電話,FAX`."""
    lines = []
    for w in windows:
        line = f"{','.join(WEEKDAY_JA[d] for d in w.days)} {w.time}"
        if w.methods:
            line += " " + ",".join(METHOD_JA[m] for m in w.methods)
        lines.append(line)
    return "\n".join(lines)


def _status_values(s: Any) -> dict[str, str]:
    return {
        "operation": OPERATION_JA[s.operation],
        **{key: ACCEPTANCE_JA[getattr(s, key)] for key in STATUS_FIELDS_JA},
        "vacancies": "" if s.vacancies is None else str(s.vacancies),
        "conditions": (s.conditions or "").strip(),
    }


def _contact_values(c: Any) -> dict[str, str]:
    return {
        "methods": ", ".join(METHOD_JA[m] for m in c.methods),
        "appointment_required": APPOINTMENT_JA[c.appointment_required],
        "via": c.via or "",
        "windows": format_windows(c.windows),
        "notes": (c.notes or "").strip(),
    }


# What each form shows of the section it updates (see kinds.Kind.section).
_SECTION_VALUES = {"status": _status_values, "contact": _contact_values}


def current_values(kind: str, record: Record) -> dict[str, str]:
    """The record's present values as the form shows them (empty fields left out)."""
    section = BY_NAME[kind].section
    values = _SECTION_VALUES[section](getattr(record, section))
    return {k: v for k, v in values.items() if v}


def update_form_url(repository: str, kind: str, record: Record, *, confirm: bool = False) -> str:
    """The issue-form URL prefilled with the record's id and current values (or a confirm-only one)."""
    if kind not in FORMS:
        raise ValueError(f"kind must be 'provider' or 'physician'; got {kind!r}")
    form = FORMS[kind]
    title = f"[変更なしで確認] {record.id}" if confirm else f"{form.title}{record.id}"
    params = {"template": form.template, "title": title, "record_id": record.id}
    if confirm:
        params["action"] = CONFIRM
    else:
        params["action"] = UPDATE
        params.update(current_values(kind, record))
    return f"{repository.rstrip('/')}/issues/new?{urlencode(params, quote_via=quote)}"
