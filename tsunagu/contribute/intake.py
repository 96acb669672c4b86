"""Form-generated edits: a submitted issue form becomes a minimal edit of one record's YAML."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from tsunagu.contribute.changes import escape_markdown, record_changes
from tsunagu.contribute.owners import owners_of, refusal
from tsunagu.domain.errors import DataError, Problem, TsunaguError
from tsunagu.domain.forms import CLEAR, CONFIRM, FORMS, NO_RESPONSE, UPDATE, Form
from tsunagu.domain.kinds import BY_NAME, KINDS
from tsunagu.domain.labels import ACCEPTANCE_JA, APPOINTMENT_JA, METHOD_JA, OPERATION_JA, WEEKDAY_JA
from tsunagu.domain.models import ID_RE, Contact, Status, Window
from tsunagu.pipeline.load import Tree, load_tree
from tsunagu.pipeline.validate import validate_tree
from tsunagu.yamlio.roundtrip import dump, flow, load, merge_lines, put
from tsunagu.yamlio.strict import Document, parse_yaml

MAX_BODY = 64 * 1024
_DELETE = object()
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LIST_SEP = re.compile(r"\s*[,、・]\s*")


class IntakeError(TsunaguError):
    """The form was not applied; the reply says why."""


class Rejected(Exception):
    """The submission cannot be applied; carries every reason, in Japanese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Edit:
    """What intake would write: the record's file, its new text, and its value before and after."""

    kind: str
    record_id: str
    name: str
    path: Path
    text: str
    before: Any
    after: Any
    confirm: bool


def _short(value: str) -> str:
    one = " ".join(value.split())
    return escape_markdown(one if len(one) <= 40 else one[:40] + "…")


# --- reading the issue body -------------------------------------------------------------------

def parse_issue_body(body: str) -> tuple[Form, dict[str, str | None]]:
    """GitHub's rendering of a form (`### Label`, blank line, value) -> the form and its values."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    heads = [(i, line[4:].strip()) for i, line in enumerate(lines) if line.startswith("### ")]
    found = {label for _, label in heads}
    forms = [f for f in FORMS.values() if f.fields[0].label in found]
    if len(forms) != 1:
        raise Rejected(["フォームの内容を読み取れません。サイトの「この情報を更新する」から開いたフォームで送信してください。"])
    form = forms[0]
    labels = {f.label: f for f in form.fields}
    problems = []
    for field in form.fields:
        count = sum(1 for _, label in heads if label == field.label)
        if count == 0:
            problems.append(f"「{field.label}」の項目が見つかりません。")
        elif count > 1:
            problems.append(f"「{field.label}」の見出しが複数あります。入力欄に「### {field.label}」と書かないでください。")
    if problems:
        raise Rejected(problems)
    # Only the form's own headings split the body: a `### ` line inside a value stays text.
    starts = [(i, labels[label]) for i, label in heads if label in labels]
    if [f.id for _, f in starts] != [f.id for f in form.fields]:
        raise Rejected(["フォームの項目の順序が正しくありません。フォームから送信し直してください。"])
    values: dict[str, str | None] = {}
    for n, (i, field) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        text = "\n".join(line.rstrip() for line in lines[i + 1:end]).strip("\n")
        values[field.id] = None if text.strip() in ("", NO_RESPONSE) else text
    return form, values


# --- field values -----------------------------------------------------------------------------

def _choice(form: Form, field_id: str, text: str, mapping: dict, problems: list[str]) -> Any:
    field = form.field(field_id)
    reverse = {label: key for key, label in mapping.items()}
    if text.strip() in reverse:
        return reverse[text.strip()]
    problems.append(f"{field.label}: 「{_short(text)}」は選べません（{'、'.join(field.options)} のいずれか）。")
    return None


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _method_names() -> dict[str, str]:
    names = {re.sub(r"\s", "", unicodedata.normalize("NFKC", label)).casefold(): key for key, label in METHOD_JA.items()}
    names.update({key: key for key in METHOD_JA})
    names.update({"ict": "ict", "mcs": "ict", "ファックス": "fax", "ファクス": "fax", "面会": "visit", "手紙": "letter",
                  "e-mail": "email", "mail": "email", "tel": "phone"})
    return names


_METHODS = _method_names()
_DAYS = {**{label: key for key, label in WEEKDAY_JA.items()}, **{key: key for key in WEEKDAY_JA}}


def parse_methods(text: str) -> tuple[list[str], list[str]]:
    """`電話, FAX` -> (['phone', 'fax'], unknown names)."""
    keys, unknown = [], []
    for name in _LIST_SEP.split(_plain(text)):
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
            days.extend(order[a:b + 1] if a <= b else [])
        elif token.lower() in _DAYS:
            days.append(_DAYS[token.lower()])
        else:
            return None
    return list(dict.fromkeys(days)) or None


def parse_windows(text: str, label: str) -> tuple[list[dict], list[str]]:
    """One window a line: `月,木 13:00-14:00 電話,FAX` (methods optional) -> window dicts and problems."""
    windows, problems = [], []
    for n, raw in enumerate(text.split("\n"), 1):
        line = _plain(raw)
        if not line:
            continue
        where = f"{label} {n} 行目「{_short(raw.strip())}」"
        parts = line.split(None, 2)
        days = _days(parts[0])
        if days is None or len(parts) < 2:
            problems.append(f"{where}: 「月,木 13:00-14:00 電話」のように、曜日・時間帯・連絡方法の順に書いてください。")
            continue
        methods, unknown = parse_methods(parts[2]) if len(parts) == 3 else ([], [])
        if unknown:
            problems.append(f"{where}: 連絡方法「{_short('、'.join(unknown))}」は使えません"
                            f"（{'、'.join(METHOD_JA.values())} のいずれか）。")
            continue
        try:
            time = Window.model_validate({"days": days, "time": parts[1], "methods": methods}).time
        except ValueError:
            problems.append(f"{where}: 時間帯は 13:00-14:00 のように書いてください。")
            continue
        windows.append({"days": days, "time": time, **({"methods": methods} if methods else {})})
    return windows, problems


def _text(form: Form, field_id: str, text: str, current: str | None, problems: list[str]) -> Any:
    """A free-text field: CLEAR empties it, the same text leaves it alone."""
    if _plain(text) == CLEAR:
        return _DELETE if current else None
    if form.field(field_id).type == "input" and "\n" in text:
        problems.append(f"{form.field(field_id).label}: 1 行で入力してください。")
        return None
    value = text.strip() if form.field(field_id).type == "input" else text.strip("\n")
    return None if value.strip() == (current or "").strip() else value


def _provider_edits(form: Form, values: dict, status: Status, problems: list[str]) -> dict[str, Any]:
    edits: dict[str, Any] = {}
    if values["operation"] is not None:
        edits["operation"] = _choice(form, "operation", values["operation"], OPERATION_JA, problems)
    for key in ("new_clients", "alternative_support", "post_infection"):
        if values[key] is not None:
            edits[key] = _choice(form, key, values[key], ACCEPTANCE_JA, problems)
    if (text := values["vacancies"]) is not None:
        plain = re.sub(r"\s*(人|名)$", "", _plain(text))
        if plain == CLEAR:
            edits["vacancies"] = _DELETE if status.vacancies is not None else None
        elif plain.isdigit() and len(plain) <= 5:
            edits["vacancies"] = int(plain)
        else:
            problems.append(f"{form.field('vacancies').label}: 0 以上の整数で入力してください（「{_short(text)}」）。")
    if values["conditions"] is not None:
        edits["conditions"] = _text(form, "conditions", values["conditions"], status.conditions, problems)
    return {k: v for k, v in edits.items() if v is not None and v != getattr(status, k)}


def _physician_edits(form: Form, values: dict, contact: Contact, problems: list[str]) -> dict[str, Any]:
    edits: dict[str, Any] = {}
    if (text := values["methods"]) is not None:
        methods, unknown = parse_methods(text)
        if unknown:
            problems.append(f"{form.field('methods').label}: 「{_short('、'.join(unknown))}」は使えません"
                            f"（{'、'.join(METHOD_JA.values())} のいずれか）。")
        elif "\n" in text:
            problems.append(f"{form.field('methods').label}: 1 行で入力してください。")
        else:
            edits["methods"] = methods
    if values["appointment_required"] is not None:
        edits["appointment_required"] = _choice(form, "appointment_required", values["appointment_required"],
                                                APPOINTMENT_JA, problems)
    if values["via"] is not None:
        edits["via"] = _text(form, "via", values["via"], contact.via, problems)
    if (text := values["windows"]) is not None:
        if _plain(text) == CLEAR:
            edits["windows"] = _DELETE if contact.windows else None
        else:
            windows, found = parse_windows(text, form.field("windows").label)
            problems.extend(found)
            edits["windows"] = windows
    if values["notes"] is not None:
        edits["notes"] = _text(form, "notes", values["notes"], contact.notes, problems)
    current = contact.model_dump(exclude_none=True)
    if isinstance(edits.get("windows"), list):   # compare with methods spelled out, as the model holds them
        shown = [{"methods": [], **w} for w in edits["windows"]]
        edits["windows"] = None if shown == current.get("windows", []) else edits["windows"]
    return {k: v for k, v in edits.items() if v is not None and v != current.get(k)}


# --- writing the YAML -------------------------------------------------------------------------

def _node(key: str, value: Any, old: Any) -> Any:
    """A plain value as a ruamel node in the style of data-format.md (and of the value it replaces)."""
    if key == "windows":
        out = CommentedSeq()
        for w in value:
            item = CommentedMap([("days", flow(w["days"])), ("time", DoubleQuotedScalarString(w["time"]))])
            if w.get("methods"):
                item["methods"] = flow(w["methods"])
            out.append(item)
        return out
    if isinstance(value, list):
        return flow(value)
    if isinstance(value, str) and ("\n" in value or isinstance(old, LiteralScalarString)):
        return LiteralScalarString(value.rstrip("\n") + "\n")
    return value


def _apply(section: CommentedMap, edits: dict[str, Any], order: list[str]) -> None:
    for key, value in edits.items():
        if value is _DELETE:
            section.pop(key, None)
        else:
            put(section, key, _node(key, value, section.get(key)), order)


def edit_text(text: str, section: str, edits: dict[str, Any], order: list[str]) -> str:
    """The YAML text with edits applied to one section; everything else kept byte for byte."""
    data = load(text)
    base = dump(data)
    _apply(data[section], edits, order)
    return merge_lines(text, base, dump(data))


_EDITS: dict[str, Callable[..., dict[str, Any]]] = {"provider": _provider_edits, "physician": _physician_edits}


# --- the whole intake -------------------------------------------------------------------------

def _find(tree: Tree, form: Form, record_id: str, problems: list[str]) -> Document | None:
    label = form.fields[0].label
    if not ID_RE.match(record_id):
        problems.append(f"{label}「{_short(record_id)}」は正しい形式ではありません（半角の英小文字・数字・ハイフン）。")
        return None
    for kind in KINDS:
        for doc in tree.docs(kind):
            if Path(doc.path).stem == record_id:
                if kind.name == form.kind:
                    return doc
                problems.append(f"「{record_id}」は{kind.label}の記録です。{kind.label}用のフォームで送信してください。")
                return None
    problems.append(f"{label}「{record_id}」の記録は見つかりません。")
    return None


def intake(body: str, author: str, data_dir: Path, today: dt.date) -> Edit:
    """Check a submitted form against the data and work out the edit; raises Rejected, writes nothing."""
    if len(body.encode("utf-8")) > MAX_BODY:
        raise Rejected([f"送信内容が大きすぎます（{MAX_BODY // 1024} KB まで）。"])
    form, values = parse_issue_body(body)
    problems = [f"{form.field(k).label}: 使用できない制御文字が含まれています。"
                for k, v in values.items() if v and _BAD_CHARS.search(v)]
    if problems:
        raise Rejected(problems)
    try:
        tree = load_tree(data_dir)
        directory = validate_tree(tree, today)
    except DataError:
        raise Rejected(["現在のデータに問題があるため、いまは受け付けられません。管理者に連絡してください。"]) from None
    record_id = (values["record_id"] or "").strip()
    if not record_id:
        raise Rejected([f"{form.fields[0].label}が入力されていません。"])
    doc = _find(tree, form, record_id, problems)
    if doc is None:
        raise Rejected(problems)
    kind = BY_NAME[form.kind]
    if refusal(owners_of(tree), author, f"{kind.folder}/{Path(doc.path).name}"):
        raise Rejected([f"{author} さんは「{record_id}」の更新担当者（maintainers）ではありません。"
                        "担当者または管理者に依頼してください。"])
    record = next(r for r in directory.records(kind) if r.id == record_id)
    action = (values["action"] or UPDATE).strip()
    if action not in (UPDATE, CONFIRM):
        problems.append(f"{form.field('action').label}: 「{_short(action)}」は選べません（{UPDATE}、{CONFIRM} のいずれか）。")
    section, model = kind.section, kind.section_model
    edits = _EDITS[kind.name](form, values, getattr(record, section), problems)
    if action == CONFIRM and edits and not problems:
        changed = "、".join(f.label for f in form.fields if f.id in edits)
        problems.append(f"「{CONFIRM}」を選んだ場合は、ほかの項目を変更しないでください（変更された項目: {changed}）。")
    if problems:
        raise Rejected(problems)
    edits["updated"] = today
    path = Path(tree.root) / kind.folder / Path(doc.path).name
    original = path.read_bytes().decode("utf-8-sig")
    text = edit_text(original, section, edits, list(model.model_fields))
    after = _check(tree, doc, text, section, edits, today)
    return Edit(form.kind, record_id, record.name, path, text, doc.value, after, action == CONFIRM)


def _norm(value: Any) -> Any:
    """Values compared without the final newline a literal block (|) adds."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value.rstrip("\n") if isinstance(value, str) else value


def _check(tree: Tree, doc: Document, text: str, section: str, edits: dict[str, Any], today: dt.date) -> Any:
    """The edited record must validate, and differ from the old one in the edited fields only."""
    problems: list[Problem] = []
    new = parse_yaml(text, doc.path, problems)
    if new is None:
        raise Rejected([f"入力内容を反映できませんでした: {p}" for p in problems])
    expected = {**doc.value, section: {**doc.value[section]}}
    for key, value in edits.items():
        if value is _DELETE:
            expected[section].pop(key, None)
        else:
            expected[section][key] = value
    if _norm(new.value) != _norm(expected):
        raise RuntimeError(f"intake changed more than the form asked in {doc.path}")  # a bug, not the user's
    docs = {"providers": tree.providers, "physicians": tree.physicians}
    for name, found in docs.items():
        docs[name] = [new if d is doc else d for d in found]
    try:
        validate_tree(Tree(tree.root, tree.site, docs["providers"], docs["physicians"], tree.notices), today)
    except DataError as exc:
        raise Rejected([f"入力内容に問題があります: {p.field or '記録'}: {p.message}" for p in exc.problems]) from None
    return new.value


def success_reply(edit: Edit, shown_path: str) -> str:
    """The Japanese reply when the edit was made."""
    head = (f"「{escape_markdown(edit.name)}」（{edit.record_id}）の"
            + ("内容を変更なしで確認しました。" if edit.confirm else "更新を受け付けました。")
            + "管理者が確認してから反映します。")
    changes = [f"- {line}" for line in record_changes(edit.kind, edit.before, edit.after)]
    return "\n".join([head, "", *changes, "", f"変更するファイル: `{shown_path}`"]) + "\n"


def failure_reply(problems: list[str]) -> str:
    """The Japanese reply listing every reason the submission was not applied."""
    return "\n".join(["更新を反映できませんでした。次の点を直して、もう一度送信してください（この issue を編集しても構いません）。",
                      "", *(f"- {p}" for p in problems), "", "データは変更していません。"]) + "\n"
