"""Form-generated edits: a submitted issue form becomes a minimal edit of one record's YAML."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from tsunagu.contribute.formvalues import DELETE, choice, physician_edits, provider_edits
from tsunagu.contribute.gate import AUTO, REVIEW, classify_record
from tsunagu.contribute.owners import owners_of, refusal
from tsunagu.contribute.submission import (
    Rejected,
    parse_issue_body,
    short_text,
)
from tsunagu.data.load import Tree, load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import DataError, Problem, TsunaguError
from tsunagu.domain.fields import ID_RE
from tsunagu.domain.forms import CONFIRM, UPDATE, Form
from tsunagu.domain.kinds import BY_NAME, KINDS, Kind
from tsunagu.domain.labels import VIA_FORM_JA
from tsunagu.yamlio.roundtrip import dump, flow, load, merge_lines, put
from tsunagu.yamlio.strict import Document, parse_yaml

MAX_BODY = 64 * 1024
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class IntakeError(TsunaguError):
    """The form was not applied; the reply says why."""


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
    decision: str = REVIEW  # auto: publishes itself (gate.AUTO); review: waits for an admin
    reasons: list[str] = field(default_factory=list)


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
        if value is DELETE:
            section.pop(key, None)
        else:
            put(section, key, _node(key, value, section.get(key)), order)


def edit_text(text: str, section: str, edits: dict[str, Any], order: list[str]) -> str:
    """The YAML text with edits applied to one section; everything else kept byte for byte."""
    data = load(text)
    base = dump(data)
    _apply(data[section], edits, order)
    return merge_lines(text, base, dump(data))


_EDITS: dict[str, Callable[..., dict[str, Any]]] = {"provider": provider_edits, "physician": physician_edits}


# --- the whole intake -------------------------------------------------------------------------


def _find(tree: Tree, form: Form, record_id: str, problems: list[str]) -> Document | None:
    label = form.fields[0].label
    if not ID_RE.match(record_id):
        problems.append(
            f"{label}「{short_text(record_id)}」は正しい形式ではありません（半角の英小文字・数字・ハイフン）。"
        )
        return None
    for kind in KINDS:
        for doc in tree.docs(kind):
            if Path(doc.path).stem == record_id:
                if kind.name == form.kind:
                    return doc
                problems.append(
                    f"「{record_id}」は{kind.label}の記録です。{kind.label}用のフォームで送信してください。"
                )
                return None
    problems.append(f"{label}「{record_id}」の記録は見つかりません。")
    return None


def _record(
    body: str, author: str, data_dir: Path, today: dt.date
) -> tuple[Form, dict[str, Any], Tree, Any, Document, Kind]:
    """The submitted form, its values, the data, and the record it names (which the author may change)."""
    if len(body.encode("utf-8")) > MAX_BODY:
        raise Rejected([f"送信内容が大きすぎます（{MAX_BODY // 1024} KB まで）。"])
    form, values = parse_issue_body(body)
    problems = [
        f"{form.field(k).label}: 使用できない制御文字が含まれています。"
        for k, v in values.items()
        if v and _BAD_CHARS.search(v)
    ]
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
        raise Rejected(
            [
                f"{author} さんは「{record_id}」の更新担当者（maintainers）ではありません。"
                "担当者または管理者に依頼してください。"
            ]
        )
    return form, values, tree, next(r for r in directory.records(kind) if r.id == record_id), doc, kind


def _confirmation(
    form: Form, values: dict[str, Any], author: str, admin: bool, current: Any, problems: list[str]
) -> dict[str, Any]:
    """Who entered the update and how it came in: the form itself, or a phone call or FAX an admin enters."""
    via = (
        "form"
        if values["confirmed_via"] is None
        else choice(form, "confirmed_via", values["confirmed_via"], VIA_FORM_JA, problems)
    )
    whom = (values["confirmed_with"] or "").strip()
    label = form.field("confirmed_with").label
    if via in ("phone", "fax") and not admin:
        problems.append(f"{form.field('confirmed_via').label}: 電話・FAX で受けた更新の代理入力は管理者のみ行えます。")
    elif via in ("phone", "fax") and not whom:
        problems.append(f"{label}: 電話・FAX で確認した相手（例 施設長 山田様）を入力してください。")
    elif via == "form" and whom:
        problems.append(f"{label}: 確認方法が「{VIA_FORM_JA['form']}」のときは空欄にしてください。")
    elif "\n" in whom:
        problems.append(f"{label}: 1 行で入力してください。")
    gone = DELETE if current.confirmed_with else None
    return {"confirmed_via": via, "confirmed_by": author, "confirmed_with": whom or gone}


def intake(body: str, author: str, data_dir: Path, today: dt.date) -> Edit:
    """Check a submitted form against the data and work out the edit; raises Rejected, writes nothing."""
    form, values, tree, record, doc, kind = _record(body, author, data_dir, today)
    owners, problems = owners_of(tree), []
    action = (values["action"] or UPDATE).strip()
    if action not in (UPDATE, CONFIRM):
        problems.append(
            f"{form.field('action').label}: 「{short_text(action)}」は選べません（{UPDATE}、{CONFIRM} のいずれか）。"
        )
    section, model, current = kind.section, kind.section_model, getattr(record, kind.section)
    edits = _EDITS[kind.name](form, values, current, problems)
    if action == CONFIRM and edits and not problems:
        changed = "、".join(f.label for f in form.fields if f.id in edits)
        problems.append(f"「{CONFIRM}」を選んだ場合は、ほかの項目を変更しないでください（変更された項目: {changed}）。")
    confirmation = _confirmation(form, values, author, owners.is_admin(author), current, problems)
    if problems:
        raise Rejected(problems)
    edits.update({"updated": today, **{k: v for k, v in confirmation.items() if v is not None}})
    path = Path(tree.root) / kind.folder / Path(doc.path).name
    text = edit_text(path.read_bytes().decode("utf-8-sig"), section, edits, list(model.model_fields))
    after = _check(tree, doc, text, section, edits, today)
    reasons = classify_record(kind.folder, doc.value, after, author, owners)
    return Edit(
        form.kind,
        record.id,
        record.name,
        path,
        text,
        doc.value,
        after,
        action == CONFIRM,
        REVIEW if reasons else AUTO,
        reasons,
    )


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
        if value is DELETE:
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
