"""What the browser gets to compute time itself: Japan's holidays and the contact windows."""

from __future__ import annotations

import json

from conftest import PHYSICIANS, TODAY, load_directory, make_tree

from tsunagu.render.timedata import contact_windows, holiday_table, holidays_json


def test_holiday_table_covers_the_coming_years_with_substitute_days():
    table = holiday_table(TODAY)
    assert min(table) == "2026-01-01" and max(table).startswith("2029-")
    assert table["2026-11-23"] == "勤労感謝の日"
    assert table["2026-05-06"] == "振替休日", "Constitution Day fell on a Sunday"
    assert table["2027-01-11"] == "成人の日"
    assert "2026-11-24" not in table


def test_holiday_json_is_safe_inside_a_script_block():
    text = holidays_json(TODAY)
    assert "<" not in text and json.loads(text)["2026-11-03"] == "文化の日"


def test_contact_windows_spell_methods_out_and_carry_the_holiday_flag(tmp_path):
    data = make_tree(tmp_path)
    path = data / "physicians" / "yamada-naika.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            '      time: "17:00-18:00"\n', '      time: "17:00-18:00"\n      holidays: true\n'
        ),
        encoding="utf-8",
    )
    assert "yamada-naika" in PHYSICIANS
    (yamada,) = [p for p in load_directory(data).physicians if p.id == "yamada-naika"]
    assert contact_windows(yamada) == [
        {"days": ["mon", "thu"], "start": "13:00", "end": "14:00", "methods": ["電話"], "holidays": False},
        {"days": ["fri"], "start": "17:00", "end": "18:00", "methods": ["FAX", "面談"], "holidays": True},
    ]
