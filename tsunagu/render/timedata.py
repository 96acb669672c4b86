"""What the browser needs to compute time-dependent facts itself: holidays and contact windows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import holidays as holiday_calendars

from tsunagu.domain.labels import METHOD_JA
from tsunagu.domain.models import Physician

HOLIDAY_YEARS_BEHIND = 0  # only today onwards matters; the current year covers it
HOLIDAY_YEARS_AHEAD = 3  # a site left unbuilt for years still knows the holidays it may meet


def holiday_table(today: dt.date) -> dict[str, str]:
    """Japan's national holidays (substitute days included) around the build date: ISO date -> name."""
    years = range(today.year - HOLIDAY_YEARS_BEHIND, today.year + HOLIDAY_YEARS_AHEAD + 1)
    calendar = holiday_calendars.country_holidays("JP", years=years, language="ja")
    return {day.isoformat(): name for day, name in sorted(calendar.items())}


def holidays_json(today: dt.date) -> str:
    """The holiday table as compact JSON, for a data block in a page or data/holidays.json."""
    text = json.dumps(holiday_table(today), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")  # safe inside a <script type="application/json"> block


def contact_windows(record: Physician) -> list[dict[str, Any]]:
    """A physician's windows with methods spelled out, the input of contact-now in the browser."""
    out = []
    for window in record.contact.windows:
        start, end = window.time.split("-")
        methods = window.methods or record.contact.methods
        out.append(
            {
                "days": list(window.days),
                "start": start,
                "end": end,
                "methods": [METHOD_JA[m] for m in methods],
                "holidays": window.holidays,
            }
        )
    return out


def windows_attr(record: Physician) -> str:
    """contact_windows as JSON for a data- attribute (Jinja escapes it)."""
    return json.dumps(contact_windows(record), ensure_ascii=False, separators=(",", ":"))
