"""The Japanese replies to a submitted form: what happened, and when the site will show it."""

from __future__ import annotations

from typing import Any

from tsunagu.contribute.changes import escape_markdown, record_changes
from tsunagu.contribute.gate import AUTO
from tsunagu.contribute.intake import Edit
from tsunagu.domain.kinds import BY_NAME
from tsunagu.domain.labels import VIA_JA


def _how(after: dict[str, Any], section: str) -> str:
    """`確認方法: 電話（確認した相手: 施設長 山田様、入力: city-admin）` from the edited record."""
    part = after.get(section) or {}
    via = VIA_JA.get(str(part.get("confirmed_via")), "フォーム")
    whom = f"確認した相手: {part['confirmed_with']}、" if part.get("confirmed_with") else ""
    return escape_markdown(f"確認方法: {via}（{whom}入力: {part.get('confirmed_by')}）")


def success_reply(edit: Edit, shown_path: str) -> str:
    """The Japanese reply when the edit was made: what happened, and when the site will show it."""
    head = f"「{escape_markdown(edit.name)}」（{edit.record_id}）の" + (
        "内容を変更なしで確認しました。" if edit.confirm else "更新を受け付けました。"
    )
    if edit.decision == AUTO:
        when = [
            "管理者の確認を待たずに自動で反映します。サイトには数分後に表示されます"
            "（反映が済むと、この issue でお知らせします）。"
        ]
    else:
        when = [
            "管理者が確認してから反映します。反映されるまで、サイトの表示は変わりません。",
            *(f"- {r}" for r in edit.reasons),
        ]
    changes = [f"- {line}" for line in record_changes(edit.kind, edit.before, edit.after)]
    section = BY_NAME[edit.kind].section
    return (
        "\n".join(
            [
                head + when[0],
                *when[1:],
                "",
                *changes,
                "",
                _how(edit.after, section),
                "",
                f"変更するファイル: `{shown_path}`",
            ]
        )
        + "\n"
    )


def failure_reply(problems: list[str]) -> str:
    """The Japanese reply listing every reason the submission was not applied."""
    return (
        "\n".join(
            [
                "更新を反映できませんでした。次の点を直して、もう一度送信してください（この issue を編集しても構いません）。",
                "",
                *(f"- {p}" for p in problems),
                "",
                "データは変更していません。",
            ]
        )
        + "\n"
    )
