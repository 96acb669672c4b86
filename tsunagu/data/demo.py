"""The demo stays alive: a demo build moves every date of the demo data to its own build day."""

from __future__ import annotations

import dataclasses
import datetime as dt

from tsunagu.data.history import History
from tsunagu.domain.directory import Directory


def demo_shift(directory: Directory, today: dt.date, demo: bool) -> dt.timedelta:
    """How far a demo build moves the demo's dates (none for a real region or a build with passwords)."""
    as_of = directory.site.demo_as_of
    return today - as_of if demo and as_of else dt.timedelta(0)


def shift_directory(directory: Directory, shift: dt.timedelta) -> None:
    """Every confirmation, import and notice date moved by shift (in place): ages and staleness stay as written."""
    if not shift:
        return

    def moved(day: dt.date | None) -> dt.date | None:
        return day + shift if day else day

    for provider in directory.providers:
        provider.status.updated = moved(provider.status.updated)
        if provider.source:
            provider.source.published = moved(provider.source.published)
            provider.source.imported = moved(provider.source.imported) or provider.source.imported
            provider.source.vanished = moved(provider.source.vanished)
    for physician in directory.physicians:
        physician.contact.updated = moved(physician.contact.updated) or physician.contact.updated
    for notice in directory.notices:
        notice.meta.date = moved(notice.meta.date) or notice.meta.date


def shift_history(history: History, shift: dt.timedelta, today: dt.date) -> History:
    """The demo's recorded changes moved by shift, none after the build day."""
    if not shift:
        return history
    changes = [dataclasses.replace(c, date=min(c.date + shift, today)) for c in history.changes]
    return dataclasses.replace(history, since=history.since + shift, changes=changes)
