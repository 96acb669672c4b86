"""One sealed submission, start to finish: open, verify, plan, commit; the same path for the workflow and serve --relay."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsunagu.contribute.links import REASONS_JA, LinkRefused, link_id, parse_replay, receipt_of
from tsunagu.contribute.relay.apply import APPLIED, LABEL_JA, NOTED, REFUSED, REVIEW, open_submission, plan
from tsunagu.contribute.relay.commit import commit_branch, commit_here, message, repo_root, seen

REVIEW_JA = "事務局が確認してから反映します。"


@dataclass
class Result:
    """The outcome a receipt shows: applied, review, refused (with a reason) or noted."""

    receipt: str
    outcome: str
    reason: str | None = None
    branch: str | None = None
    record: str | None = None  # kind/id, for the admins' log (never shown to the sender)
    note: str | None = None  # 「情報が違う」: the note, for the admins only

    def public(self) -> dict[str, Any]:
        """The JSON the receipt page reads (docs/relay-protocol.md § 7)."""
        out: dict[str, Any] = {"receipt": self.receipt, "outcome": self.outcome, "label": LABEL_JA[self.outcome]}
        if self.outcome == REFUSED:
            out.update(reason=self.reason, message=REASONS_JA[self.reason or "invalid"])
        elif self.outcome == REVIEW:
            out["message"] = REVIEW_JA
        elif self.outcome == NOTED:
            out["message"] = "事務局に届きました。"
        return out


def process(
    sealed: str,
    receipt: str,
    *,
    data_dir: Path,
    link_key: bytes,
    private: Any,
    now: int,
    today: dt.date,
    link: str | None = None,
) -> Result:
    """Apply one submission to the repository of data_dir; a refusal commits nothing."""
    try:
        sub = open_submission(sealed, receipt, private)
        if receipt_of(parse_replay(sub.replay)) != receipt or (link is not None and link_id(sub.token) != link):
            raise LinkRefused("invalid")
        root = repo_root(data_dir)
        if (earlier := seen(root, sub.replay)) is not None:  # a replay changes nothing twice
            return Result(receipt, earlier[0], branch=earlier[1])
        step = plan(sub, data_dir, link_key, now, today)
    except LinkRefused as exc:
        return Result(receipt, REFUSED, reason=exc.reason)
    except ValueError:
        return Result(receipt, REFUSED, reason="invalid")
    record = f"{step.kind}/{step.record_id}"
    if step.outcome == NOTED:
        return Result(receipt, NOTED, record=record, note=sub.note)
    assert step.path is not None and step.text is not None
    proxy = sub.proxy["via"] if sub.proxy else "link"
    what = "、".join(step.changes) or "変更なし（確認のみ）"
    msg = message(
        f"{step.record_id}: {what} ({'リンク' if proxy == 'link' else '代理入力 ' + proxy})",
        step.changes + [f"確認待ちの理由: {r}" for r in step.reasons],
        receipt,
        sub.replay,
        proxy,
    )
    if step.outcome == APPLIED:
        commit_here(root, step.path, step.text, msg)
        return Result(receipt, APPLIED, record=record)
    branch = commit_branch(root, step.path, step.text, msg, str(step.record_id))
    return Result(receipt, REVIEW, branch=branch, record=record)
