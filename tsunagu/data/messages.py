"""Pydantic's validation errors as messages for people: the field, what was expected, what was found."""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from tsunagu.domain.errors import Problem
from tsunagu.yamlio.strict import Document, Path_, field_label

# Messages for pattern-constrained fields: what a person should have written.
_PATTERN_HINTS = {
    "office_number": 'expected a 10-digit 介護保険事業所番号 such as "0870100011"',
    "email": "expected an e-mail address such as info@example.jp",
    "url": "expected an http(s) address such as https://example.jp",
    "maintainers": "expected a git-host login (letters, digits and hyphens)",
    "admins": "expected a git-host login (letters, digits and hyphens)",
    "site_id": "expected lower-case letters, digits and hyphens such as sakura-city",
    "salt": "expected 32 hexadecimal digits as written by tsunagu build (delete the line to make a new one)",
    "repository": "expected an https:// address of the repository",
    "services": 'expected a 3-digit service code such as "150"',
}


def quoted(value: Any) -> str:
    """A value as it appears in a message: repr (escapes controls), cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…" + text[0]


def _shown(doc: Document, loc: Path_, value: Any) -> str:
    raw = doc.raw.get(loc)
    if raw is not None:
        return quoted(raw)
    if isinstance(value, (dict, list)):
        return "a list" if isinstance(value, list) else "a mapping"
    return quoted(value)


_MESSAGES = {
    "missing": "required field is missing",
    "bool_type": "expected true or false; got {got}",
    "bool_parsing": "expected true or false; got {got}",
    "int_type": "expected a whole number; got {got}",
    "int_parsing": "expected a whole number; got {got}",
    "int_from_float": "expected a whole number; got {got}",
    "string_type": "expected text; got {got}",
    "string_too_short": "must not be empty",
    "list_type": "expected a list such as [a, b]; got {got}",
    "dict_type": "expected a mapping of fields; got {got}",
    "model_type": "expected a mapping of fields; got {got}",
    "model_attributes_type": "expected a mapping of fields; got {got}",
    "too_short": "must list at least one value",
}


def _message(err: Any, doc: Document, loc: Path_, model: type[BaseModel]) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    got = _shown(doc, loc, value)
    if kind in _MESSAGES:
        return _MESSAGES[kind].format(got=got)
    if kind.startswith("date"):
        return f"expected a date such as 2026-11-20; got {got}"
    if kind == "extra_forbidden":
        return _unknown_key(loc, model)
    if kind in ("literal_error", "enum"):
        expected = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        return f"expected one of {', '.join(expected)}; got {got}"
    if kind in ("greater_than_equal", "less_than_equal"):
        op = ">=" if kind == "greater_than_equal" else "<="
        return f"expected a number {op} {ctx.get('ge', ctx.get('le'))}; got {got}"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return f"too long ({len(value or ''):,} characters; at most {ctx.get('max_length')})"
    if kind == "string_pattern_mismatch":
        key = next((p for p in reversed(loc) if isinstance(p, str) and p in _PATTERN_HINTS), "")
        return f"{_PATTERN_HINTS.get(key, 'unexpected form')}; got {got}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg']}; got {got}"


def _model_at(model: type[BaseModel], loc: Path_) -> type[BaseModel] | None:
    """The nested model that owns the last key of loc."""
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        inner = _inner_model(info.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found:
            return found
    return None


def _unknown_key(loc: Path_, model: type[BaseModel]) -> str:
    owner = _model_at(model, loc)
    names = list(owner.model_fields) if owner else []
    close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else (f"; expected one of {', '.join(names)}" if names else "")
    return f"unknown field{hint}"


def model_problems(doc: Document, model: type[BaseModel], data: Any) -> tuple[Any, list[Problem]]:
    """Validate one document against a model; returns (instance or None, problems)."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            # "[key]": pydantic's mark of a mapping key; the key itself is already in loc.
            loc = tuple(
                p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]"))
            )
            problems.append(Problem(doc.path, doc.line(loc), field_label(loc), _message(err, doc, loc, model)))
        return None, problems
