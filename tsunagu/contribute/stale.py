"""Records whose status has not been confirmed for too long, for the admins' reminder round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tsunagu.contribute.changes import escape_markdown
from tsunagu.domain.directory import Directory
from tsunagu.domain.kinds import KINDS
from tsunagu.domain.labels import KIND_JA
from tsunagu.domain.text import printable


@dataclass(frozen=True)
class StaleRecord:
    """A record past stale_after_days, with whom to remind."""

    kind: str
    id: str
    name: str
    updated: dt.date
    days: int
    maintainers: tuple[str, ...]


def stale_records(directory: Directory, today: dt.date) -> list[StaleRecord]:
    """Records confirmed more than stale_after_days ago, oldest first."""
    limit = directory.site.stale_after_days
    # A never-answered import has no confirmation date: it has waited since it was imported.
    since = {(k.name, r.id): k.waiting_since(r) or today for k in KINDS for r in directory.records(k)}
    found = [
        StaleRecord(
            k.name, r.id, k.title(r), since[k.name, r.id], (today - since[k.name, r.id]).days, tuple(r.maintainers)
        )
        for k in KINDS
        for r in directory.records(k)
    ]
    return sorted((r for r in found if r.days > limit), key=lambda r: (r.updated, r.kind, r.id))


def stale_report(records: list[StaleRecord], limit: int, today: dt.date) -> str:
    """The listing as Markdown lines an admin can paste into a reminder issue (mentions included)."""
    if not records:
        return f"{today.isoformat()} 時点で、{limit} 日を超えて確認されていない記録はありません。\n"
    lines = [f"{today.isoformat()} 時点で、{limit} 日を超えて確認されていない記録: {len(records)} 件", ""]
    for r in records:
        who = " ".join(f"@{m}" for m in r.maintainers) or "（担当者なし）"
        # Names are data: validation refuses controls, and the listing escapes them again, with any markup.
        name = escape_markdown(printable(r.name))
        lines.append(f"- {r.updated.isoformat()}（{r.days} 日前） {KIND_JA[r.kind]} {r.id} {name} {who}")
    return "\n".join(lines) + "\n"
