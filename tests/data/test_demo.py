"""The demo stays alive: a demo build any day looks like the region in use it was written as."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import FAST, TODAY, load_directory

from tsunagu.data.demo import demo_shift, shift_directory, shift_history
from tsunagu.data.history import History, StatusChange
from tsunagu.domain.config import Config
from tsunagu.render.entries import make_entries
from tsunagu.render.pages import render_site

DEMO = Path(__file__).resolve().parents[2] / "data"
LATER = dt.date(2027, 6, 15)


def test_the_demo_is_written_as_of_the_test_suites_day():
    # The suite's clock-dependent checks read the demo as written: a demo build on TODAY moves nothing.
    directory = load_directory(DEMO)
    assert directory.site.demo_as_of == TODAY
    assert demo_shift(directory, TODAY, demo=True) == dt.timedelta(0)


def test_a_demo_built_months_later_has_the_same_ages_and_stale_entries():
    written, moved = load_directory(DEMO), load_directory(DEMO)
    shift = demo_shift(moved, LATER, demo=True)
    assert shift == LATER - TODAY
    shift_directory(moved, shift)
    then = make_entries(written, Config(data_dir=DEMO, today=TODAY))
    now = make_entries(moved, Config(data_dir=DEMO, today=LATER))
    for before, after in zip(sum(then, []), sum(now, []), strict=True):
        assert (after.record.id, after.age_days, after.stale) == (before.record.id, before.age_days, before.stale)
    stale = sum(e.stale for e in sum(now, []))
    assert 0 < stale < len(sum(now, [])) // 4, "a few stale entries, not a wall of them"
    assert max(n.meta.date for n in moved.notices) <= LATER
    home = render_site(moved, Config(data_dir=DEMO, today=LATER, iterations=FAST))["index.html"].decode()
    assert f"確認日が14日より前の情報が <span data-stale-count>{stale}</span> 件" in home


def test_a_build_with_passwords_or_a_real_region_moves_nothing():
    directory = load_directory(DEMO)
    assert demo_shift(directory, LATER, demo=False) == dt.timedelta(0)
    directory.site.demo_as_of = None
    assert demo_shift(directory, LATER, demo=True) == dt.timedelta(0)


def test_recorded_changes_move_with_the_demo_and_never_past_the_build_day():
    history = History(
        True,
        dt.date(2026, 9, 27),
        [
            StatusChange(dt.date(2026, 11, 21), "provider", "day-sakura", "デイサービスさくら", "changed", []),
            StatusChange(dt.date(2026, 11, 23), "provider", "day-sakura", "デイサービスさくら", "changed", []),
        ],
    )
    moved = shift_history(history, dt.timedelta(days=10), dt.date(2026, 12, 2))
    assert [c.date for c in moved.changes] == [dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    assert moved.since == dt.date(2026, 10, 7)
