"""最近の変更 as a care manager reads it: whole values (changed words marked), first imports folded per date."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from tsunagu.data.history import History, StatusChange

# Values up to this many characters read at a glance as 「before → after」; longer ones get their changed words marked.
SHORT = 16


@dataclass
class FieldView:
    """One changed field: the whole values, and for long text the runs of each (changed?, text)."""

    label: str
    before: str
    after: str
    before_runs: list[tuple[bool, str]] = field(default_factory=list)
    after_runs: list[tuple[bool, str]] = field(default_factory=list)

    @property
    def marked(self) -> bool:
        """Whether the changed words are marked (a long text) rather than the values shown side by side."""
        return bool(self.before_runs or self.after_runs)


@dataclass
class DayView:
    """One day of changes: real changes first (each record once), then added and removed records folded."""

    date: dt.date
    changed: list[tuple[StatusChange, Any, list[FieldView]]] = field(default_factory=list)
    added: list[tuple[StatusChange, Any]] = field(default_factory=list)
    removed: list[tuple[StatusChange, Any]] = field(default_factory=list)


def word_diff(before: str, after: str) -> tuple[list[tuple[bool, str]], list[tuple[bool, str]]]:
    """Runs of the two texts, each (changed, text); characters compared, since Japanese has no spaces."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    old: list[tuple[bool, str]] = []
    new: list[tuple[bool, str]] = []

    def push(runs: list[tuple[bool, str]], changed: bool, text: str) -> None:
        if not text:
            return
        if runs and runs[-1][0] == changed:
            runs[-1] = (changed, runs[-1][1] + text)
        else:
            runs.append((changed, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        push(old, op != "equal", before[i1:i2])
        push(new, op != "equal", after[j1:j2])
    return old, new


def field_view(label: str, before: str, after: str) -> FieldView:
    """A changed field, marked word by word when either value is too long to compare at a glance."""
    if label == "空き":  # 「空き 3名」 as on every page
        before, after = (f"{v}名" if v.isdigit() else v for v in (before, after))
    if max(len(before), len(after)) <= SHORT or "（なし）" in (before, after):
        return FieldView(label, before, after)
    return FieldView(label, before, after, *word_diff(before, after))


def days_view(history: History, by_stem: dict[str, Any]) -> list[DayView]:
    """The history newest day first; within a day the changed records, then the added and removed ones."""
    days: dict[dt.date, DayView] = {}
    for change in history.changes:
        day = days.setdefault(change.date, DayView(change.date))
        entry = by_stem.get(change.stem)
        if change.event == "added":
            day.added.append((change, entry))
        elif change.event == "removed":
            day.removed.append((change, entry))
        else:
            day.changed.append((change, entry, [field_view(*f) for f in change.fields]))
    return [days[d] for d in sorted(days, reverse=True)]
