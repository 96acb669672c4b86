"""A verified submission becomes a minimal edit of one record, and the gate decides: auto, review or refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsunagu.contribute.formvalues import DELETE
from tsunagu.contribute.intake import _check, edit_text
from tsunagu.contribute.links import ADMIN, HOLDER, NOTE, LinkRefused, Token, authorise, verify_token
from tsunagu.contribute.relay.seal import Unsealed, unseal
from tsunagu.contribute.relay.submission import Submission, has_url, parse_submission
from tsunagu.contribute.submission import Rejected
from tsunagu.data.load import Tree, load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.describe import field_changes
from tsunagu.domain.errors import DataError
from tsunagu.domain.kinds import BY_NAME, KINDS
from tsunagu.domain.models import Window

APPLIED, REVIEW, REFUSED, NOTED = "applied", "review", "refused", "noted"
LABEL_JA = {APPLIED: "反映済み", REVIEW: "確認待ち", REFUSED: "受け付けできませんでした", NOTED: "受け付けました"}
_TEXT_KEYS = ("conditions", "notes", "via")
_CONFIRMATION = ("confirmed_via", "confirmed_by", "confirmed_with")


@dataclass
class Plan:
    """What a submission does: the outcome, and for an update the file's new text and the change in words."""

    outcome: str
    reason: str | None = None
    kind: str | None = None
    record_id: str | None = None
    path: Path | None = None
    text: str | None = None
    changes: list[str] = field(default_factory=list)  # 新規受入: 受入可 → 受入不可
    reasons: list[str] = field(default_factory=list)  # why it waits for review
    submission: Submission | None = None


def open_submission(sealed: str, receipt: str, private: Any) -> Submission:
    """Unseal and read a submission; LinkRefused('unsealed' | 'invalid') otherwise."""
    try:
        plaintext = unseal(sealed, private, receipt)
    except Unsealed:
        raise LinkRefused("unsealed") from None
    return parse_submission(plaintext, receipt)


def _plain_window(w: dict[str, Any]) -> dict[str, Any]:
    """A window as the page sends it: normalised time, methods only when there are some."""
    out: dict[str, Any] = {
        "days": list(w["days"]),
        "time": Window.model_validate({"days": w["days"], "time": w["time"]}).time,
    }
    if w.get("methods"):
        out["methods"] = list(w["methods"])
    if w.get("holidays"):
        out["holidays"] = True
    return out


def _edits(kind: str, answers: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The answers that differ from the record: None clears a field that has a value."""
    edits: dict[str, Any] = {}
    for key, value in answers.items():
        now = current.get(key)
        if key == "windows":
            now = [_plain_window(w) for w in now or []]
        if isinstance(now, str):
            now = now.strip() or None  # a YAML block (|) ends with a newline the page never sends
        if value is None:
            if now is not None:
                edits[key] = DELETE
        elif value != now and not (key == "methods" and value == [] and now is None):
            edits[key] = value
    return edits


def _confirmation(token: Token, sub: Submission, current: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Who confirmed, how and when: the link itself, or an admin by proxy naming whom they spoke to."""
    if token.purpose == ADMIN:
        assert sub.proxy is not None
        return {
            "updated": today,
            "confirmed_via": sub.proxy["via"],
            "confirmed_by": token.login,
            "confirmed_with": sub.proxy["with"],
        }
    out: dict[str, Any] = {"updated": today, "confirmed_via": "link"}
    for key in ("confirmed_by", "confirmed_with"):  # the link names nobody: an older entrant's name would lie
        if current.get(key) is not None:
            out[key] = DELETE
    return out


def review_reasons(edits: dict[str, Any]) -> list[str]:
    """Why a link's edit waits for an admin: operation changes, and free text that holds a link."""
    reasons = []
    if "operation" in edits:
        reasons.append("営業状況の変更（休止中・廃止など）は事務局が確認してから反映します")
    for key in _TEXT_KEYS:
        if isinstance(edits.get(key), str) and has_url(edits[key]):
            reasons.append("URL やリンクを含む文は事務局が確認してから反映します")
            break
    return reasons


def _find(tree: Tree, kind_name: str, record_id: str) -> tuple[Any, Any]:
    kind = BY_NAME[kind_name]
    return kind, next((d for d in tree.docs(kind) if Path(d.path).stem == record_id), None)


def plan(sub: Submission, data_dir: Path, link_key: bytes, now: int, today: dt.date) -> Plan:
    """Check the link against the data and work out the edit; writes nothing. LinkRefused when refused."""
    token = verify_token(sub.token, link_key, now)
    if (sub.type == "note") != (token.purpose == NOTE) and not (sub.type == "note" and token.purpose == HOLDER):
        raise LinkRefused("not_allowed")
    if (sub.proxy is not None) != (token.purpose == ADMIN):
        raise LinkRefused("not_allowed" if sub.proxy else "invalid")
    try:
        tree = load_tree(data_dir)
        directory = validate_tree(tree, today)
    except DataError:
        raise LinkRefused("invalid") from None
    versions = {(k.name, r.id): r.link_version for k in KINDS for r in directory.records(k)}
    authorise(token, sub.kind, sub.record_id, versions)
    if sub.type == "note":
        return Plan(NOTED, kind=sub.kind, record_id=sub.record_id, submission=sub)
    kind, doc = _find(tree, sub.kind, sub.record_id)
    assert doc is not None  # authorise found it
    current = dict(doc.value[kind.section])
    try:
        step = edit_record(tree, doc, kind.name, sub.answers, _confirmation(token, sub, current, today), today)
    except Rejected:
        raise LinkRefused("invalid") from None
    step.submission = sub
    return step


def edit_record(
    tree: Tree, doc: Any, kind_name: str, answers: dict[str, Any], confirmation: dict[str, Any], today: dt.date
) -> Plan:
    """The minimal edit of one record's section for these answers, checked against the whole tree (Rejected)."""
    kind = BY_NAME[kind_name]
    current = dict(doc.value[kind.section])
    edits = _edits(kind.name, answers, current)
    reasons = review_reasons(edits)
    edits.update(confirmation)
    path = Path(tree.root) / kind.folder / Path(doc.path).name
    text = edit_text(path.read_bytes().decode("utf-8-sig"), kind.section, edits, list(kind.section_model.model_fields))
    after = _check(tree, doc, text, kind.section, edits, today)
    changes = [
        f"{label}: {was} → {new}"
        for label, was, new in field_changes(kind.name, doc.value, after)
        if label not in ("確認日", "確認方法", "入力者", "確認した相手")
    ]
    return Plan(
        REVIEW if reasons else APPLIED,
        kind=kind.name,
        record_id=Path(doc.path).stem,
        path=path,
        text=text,
        changes=changes,
        reasons=reasons,
    )
