import datetime as dt

from click.testing import CliRunner
from gitflow import FIXTURE

from tsunagu.cli import cli
from tsunagu.contribute.stale import StaleRecord, stale_records, stale_report
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree


def test_stale_records_oldest_first():
    today = dt.date(2026, 11, 20)
    directory = validate_tree(load_tree(FIXTURE), today)
    assert stale_records(directory, today) == [
        StaleRecord(
            "provider",
            "home-aoba",
            "ヘルパーステーションあおば",
            dt.date(2026, 10, 1),
            50,
            ("aoba-helper", "aoba-office"),
        ),
        StaleRecord("provider", "day-sakura", "デイサービスさくら", dt.date(2026, 11, 1), 19, ("sakura-day",)),
    ]
    assert [r.id for r in stale_records(directory, dt.date(2026, 11, 15))] == ["home-aoba"], "14 days is not stale yet"


def test_stale_command():
    result = CliRunner().invoke(cli, ["stale", "--data", str(FIXTURE), "--today", "2026-11-25"])
    assert result.exit_code == 0
    assert (
        result.output
        == """\
2026-11-25 時点で、14 日を超えて確認されていない記録: 3 件

- 2026-10-01（55 日前） 事業所 home-aoba ヘルパーステーションあおば @aoba-helper @aoba-office
- 2026-11-01（24 日前） 事業所 day-sakura デイサービスさくら @sakura-day
- 2026-11-10（15 日前） 医師 yamada-naika やまだ内科クリニック 山田 太郎 @yamada-clinic
"""
    )
    assert (
        stale_report([], 14, dt.date(2026, 11, 10))
        == "2026-11-10 時点で、14 日を超えて確認されていない記録はありません。\n"
    )


def test_a_never_answered_import_is_stale_from_its_import_date(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    (data / "providers" / "day-new.yaml").write_text(
        "name: デイサービスしんき\nservices: [通所介護]\narea: 北部\naddress: 茨城県さくら市北条1\nphone: 029-000-1999\n"
        "status:\n  new_clients: unknown\nsource:\n  dataset: 介護サービス情報公表システム\n  imported: 2026-10-20\n",
        encoding="utf-8",
    )
    today = dt.date(2026, 11, 20)
    found = {r.id: r for r in stale_records(validate_tree(load_tree(data), today), today)}
    assert found["day-new"] == StaleRecord("provider", "day-new", "デイサービスしんき", dt.date(2026, 10, 20), 31, ())


def test_control_characters_never_reach_the_listing(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    aoba = data / "providers" / "home-aoba.yaml"
    text = aoba.read_text(encoding="utf-8")
    aoba.write_text(
        text.replace("name: ヘルパーステーションあおば", 'name: "ヘルパー\\e]8;;https://evil/\\a\\u202eあおば"'),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["stale", "--data", str(data), "--today", "2026-11-25"])
    assert result.exit_code == 1 and result.output == ""
    assert str(result.exception).splitlines()[0] == (
        f"{data / 'providers' / 'home-aoba.yaml'}:1: name: control character U+001B (ESCAPE) is not allowed; delete it"
    )
    assert "\x1b" not in str(result.exception) and "\u202e" not in str(result.exception)


def test_listing_escapes_names_again():
    record = StaleRecord("provider", "x", "デイ\x1b[2J\u202e[link](http://evil) @all", dt.date(2026, 1, 1), 30, ())
    line = stale_report([record], 14, dt.date(2026, 1, 31)).splitlines()[2]
    assert line == (
        "- 2026-01-01（30 日前） 事業所 x デイ\\\\x1b\\[2J\\\\u202e\\[link\\](http://evil) @\u200ball （担当者なし）"
    )
