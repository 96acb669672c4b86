"""Form answers to field values: each submitted field checked and turned into the value the record will hold."""

from __future__ import annotations

import re
from typing import Any

from tsunagu.contribute.submission import parse_methods, parse_windows, plain_text, short_text
from tsunagu.domain.forms import CLEAR, Form
from tsunagu.domain.labels import ACCEPTANCE_JA, APPOINTMENT_JA, METHOD_JA, OPERATION_JA
from tsunagu.domain.models import Contact, Status

DELETE = object()  # a field the answer clears: its key is removed from the YAML


def choice(form: Form, field_id: str, text: str, mapping: dict[Any, str], problems: list[str]) -> Any:
    field = form.field(field_id)
    reverse = {label: key for key, label in mapping.items()}
    if text.strip() in reverse:
        return reverse[text.strip()]
    problems.append(f"{field.label}: 「{short_text(text)}」は選べません（{'、'.join(field.options)} のいずれか）。")
    return None


def _text(form: Form, field_id: str, text: str, current: str | None, problems: list[str]) -> Any:
    """A free-text field: CLEAR empties it, the same text leaves it alone."""
    if plain_text(text) == CLEAR:
        return DELETE if current else None
    if form.field(field_id).type == "input" and "\n" in text:
        problems.append(f"{form.field(field_id).label}: 1 行で入力してください。")
        return None
    value = text.strip() if form.field(field_id).type == "input" else text.strip("\n")
    return None if value.strip() == (current or "").strip() else value


def provider_edits(form: Form, values: dict[str, Any], status: Status, problems: list[str]) -> dict[str, Any]:
    edits: dict[str, Any] = {}
    if values["operation"] is not None:
        edits["operation"] = choice(form, "operation", values["operation"], OPERATION_JA, problems)
    for key in ("new_clients", "alternative_support", "post_infection"):
        if values[key] is not None:
            edits[key] = choice(form, key, values[key], ACCEPTANCE_JA, problems)
    if (text := values["vacancies"]) is not None:
        plain = re.sub(r"\s*(人|名)$", "", plain_text(text))
        if plain == CLEAR:
            edits["vacancies"] = DELETE if status.vacancies is not None else None
        elif plain.isdigit() and len(plain) <= 5:
            edits["vacancies"] = int(plain)
        else:
            problems.append(
                f"{form.field('vacancies').label}: 0 以上の整数で入力してください（「{short_text(text)}」）。"
            )
    if values["conditions"] is not None:
        edits["conditions"] = _text(form, "conditions", values["conditions"], status.conditions, problems)
    return {k: v for k, v in edits.items() if v is not None and v != getattr(status, k)}


def physician_edits(form: Form, values: dict[str, Any], contact: Contact, problems: list[str]) -> dict[str, Any]:
    edits: dict[str, Any] = {}
    if (text := values["methods"]) is not None:
        methods, unknown = parse_methods(text)
        if unknown:
            problems.append(
                f"{form.field('methods').label}: 「{short_text('、'.join(unknown))}」は使えません"
                f"（{'、'.join(METHOD_JA.values())} のいずれか）。"
            )
        elif "\n" in text:
            problems.append(f"{form.field('methods').label}: 1 行で入力してください。")
        else:
            edits["methods"] = methods
    if values["appointment_required"] is not None:
        edits["appointment_required"] = choice(
            form, "appointment_required", values["appointment_required"], APPOINTMENT_JA, problems
        )
    if values["via"] is not None:
        edits["via"] = _text(form, "via", values["via"], contact.via, problems)
    if (text := values["windows"]) is not None:
        if plain_text(text) == CLEAR:
            edits["windows"] = DELETE if contact.windows else None
        else:
            windows, found = parse_windows(text, form.field("windows").label)
            problems.extend(found)
            edits["windows"] = windows
    if values["notes"] is not None:
        edits["notes"] = _text(form, "notes", values["notes"], contact.notes, problems)
    current = contact.model_dump(exclude_none=True)
    if isinstance(edits.get("windows"), list):  # compare with methods spelled out, as the model holds them
        shown = [{"methods": [], **w} for w in edits["windows"]]
        edits["windows"] = None if shown == current.get("windows", []) else edits["windows"]
    return {k: v for k, v in edits.items() if v is not None and v != current.get(k)}


# --- writing the YAML -------------------------------------------------------------------------
