"""Reading a submitted update form back: GitHub's rendering of the issue, contact methods and time windows."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from tsunagu.contribute.changes import escape_markdown
from tsunagu.domain.forms import FORMS, NO_RESPONSE, Form
from tsunagu.domain.labels import METHOD_JA, WEEKDAY_JA
from tsunagu.domain.models import Window

_LIST_SEP = re.compile(r"\s*[,、・]\s*")


class Rejected(Exception):
    """The submission cannot be applied; carries every reason, in Japanese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def short_text(value: str) -> str:
    """One line of at most 40 characters, escaped for Markdown (to quote a value in a reply)."""
    one = " ".join(value.split())
    return escape_markdown(one if len(one) <= 40 else one[:40] + "…")


def parse_issue_body(body: str) -> tuple[Form, dict[str, str | None]]:
    """GitHub's rendering of a form (`### Label`, blank line, value) -> the form and its values."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    heads = [(i, line[4:].strip()) for i, line in enumerate(lines) if line.startswith("### ")]
    found = {label for _, label in heads}
    forms = [f for f in FORMS.values() if f.fields[0].label in found]
    if len(forms) != 1:
        raise Rejected(
            ["フォームの内容を読み取れません。サイトの「この情報を更新する」から開いたフォームで送信してください。"]
        )
    form = forms[0]
    labels = {f.label: f for f in form.fields}
    problems = []
    for field in form.fields:
        count = sum(1 for _, label in heads if label == field.label)
        if count == 0:
            problems.append(f"「{field.label}」の項目が見つかりません。")
        elif count > 1:
            problems.append(
                f"「{field.label}」の見出しが複数あります。入力欄に「### {field.label}」と書かないでください。"
            )
    if problems:
        raise Rejected(problems)
    # Only the form's own headings split the body: a `### ` line inside a value stays text.
    starts = [(i, labels[label]) for i, label in heads if label in labels]
    if [f.id for _, f in starts] != [f.id for f in form.fields]:
        raise Rejected(["フォームの項目の順序が正しくありません。フォームから送信し直してください。"])
    values: dict[str, str | None] = {}
    for n, (i, field) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        text = "\n".join(line.rstrip() for line in lines[i + 1 : end]).strip("\n")
        values[field.id] = None if text.strip() in ("", NO_RESPONSE) else text
    return form, values


def plain_text(text: str) -> str:
    """Text as typed on any keyboard: full-width letters and digits folded (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def _method_names() -> dict[str, str]:
    names = {
        re.sub(r"\s", "", unicodedata.normalize("NFKC", label)).casefold(): key for key, label in METHOD_JA.items()
    }
    names.update({key: key for key in METHOD_JA})
    names.update(
        {
            "ict": "ict",
            "mcs": "ict",
            "ファックス": "fax",
            "ファクス": "fax",
            "面会": "visit",
            "手紙": "letter",
            "e-mail": "email",
            "mail": "email",
            "tel": "phone",
        }
    )
    return names


_METHODS = _method_names()
_DAYS = {**{label: key for key, label in WEEKDAY_JA.items()}, **{key: key for key in WEEKDAY_JA}}


def parse_methods(text: str) -> tuple[list[str], list[str]]:
    """`電話, FAX` -> (['phone', 'fax'], unknown names)."""
    keys, unknown = [], []
    for name in _LIST_SEP.split(plain_text(text)):
        key = _METHODS.get(re.sub(r"\s", "", name).casefold())
        if key is None:
            unknown.append(name)
        elif key not in keys:
            keys.append(key)
    return keys, unknown


def _days(text: str) -> list[str] | None:
    days: list[str] = []
    order = list(WEEKDAY_JA)
    for token in _LIST_SEP.split(text):
        token = re.sub(r"曜日?$", "", token)
        span = re.fullmatch(r"(.+?)[-〜~](.+)", token)
        if span and span.group(1) in _DAYS and span.group(2) in _DAYS:
            a, b = order.index(_DAYS[span.group(1)]), order.index(_DAYS[span.group(2)])
            days.extend(order[a : b + 1] if a <= b else [])
        elif token.lower() in _DAYS:
            days.append(_DAYS[token.lower()])
        else:
            return None
    return list(dict.fromkeys(days)) or None


def parse_windows(text: str, label: str) -> tuple[list[dict[str, Any]], list[str]]:
    """One window a line: `月,木 13:00-14:00 電話,FAX` (methods optional) -> window dicts and problems."""
    windows, problems = [], []
    for n, raw in enumerate(text.split("\n"), 1):
        line = plain_text(raw)
        if not line:
            continue
        where = f"{label} {n} 行目「{short_text(raw.strip())}」"
        parts = line.split(None, 2)
        days = _days(parts[0])
        if days is None or len(parts) < 2:
            problems.append(
                f"{where}: 「月,木 13:00-14:00 電話」のように、曜日・時間帯・連絡方法の順に書いてください。"
            )
            continue
        methods, unknown = parse_methods(parts[2]) if len(parts) == 3 else ([], [])
        if unknown:
            problems.append(
                f"{where}: 連絡方法「{short_text('、'.join(unknown))}」は使えません"
                f"（{'、'.join(METHOD_JA.values())} のいずれか）。"
            )
            continue
        try:
            time = Window.model_validate({"days": days, "time": parts[1], "methods": methods}).time
        except ValueError:
            problems.append(f"{where}: 時間帯は 13:00-14:00 のように書いてください。")
            continue
        windows.append({"days": days, "time": time, **({"methods": methods} if methods else {})})
    return windows, problems
