"""The MHLW importer: real sample files in, provider YAML out; re-imports keep what people edited."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tools import ROOT

from tsunagu.cli import cli
from tsunagu.domain.errors import DataError, TsunaguError
from tsunagu.domain.fields import normalize_kana
from tsunagu.domain.models import Provider
from tsunagu.importers.mhlw.cells import (
    check_city,
    clean_address,
    clean_capacity,
    clean_kana,
    clean_phone,
    clean_url,
    compose_hours,
)
from tsunagu.importers.mhlw.clean import clean_row
from tsunagu.importers.mhlw.plan import plan_import
from tsunagu.importers.mhlw.read import read_csv
from tsunagu.importers.mhlw.records import Options
from tsunagu.importers.mhlw.site import place
from tsunagu.yamlio.roundtrip import dump, round_trip

FIXTURES = ROOT / "tests" / "fixtures" / "mhlw"
SAMPLES = FIXTURES / "samples"  # real open data, as published (CC BY 4.0; see its README.md)
TODAY, PUBLISHED = "2026-01-10", "2025-12-01"

# Towns of the sample cities; some Mito towns are left out on purpose, to be reported as unplaced.
AREA_MAP = {
    "土浦市": "南部",
    "荒川沖": "東部",
    "河和田": "西部",
    "見川": "西部",
    "赤塚": "西部",
    "石川": "西部",
    "百合が丘": "北部",
    "堀町": "北部",
    "渡里": "北部",
    "青柳": "北部",
    "東原": "中部",
    "笠原": "中部",
    "元吉田": "南部",
    "酒門": "南部",
    "平須": "南部",
    "住吉": "南部",
    "大串": "東部",
}
UNPLACED = [
    "0810110759",
    "0850180043",
    "0850180092",
    "0850180142",
    "0853180040",
    "0870100740",
    "0870100757",
    "0870101490",
    "0870102522",
    "0870104239",
    "0870105731",
    "0870106119",
    "0870107018",
    "0870107091",
    "0870500451",
    "0890100134",
    "0890100167",
    "0890100175",
    "0890100415",
]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder with the repo's site.yaml, its area_map set to the towns of the samples."""
    folder = tmp_path / "data"
    folder.mkdir()
    yaml = round_trip()
    site = yaml.load((ROOT / "data" / "site.yaml").read_text(encoding="utf-8"))
    site["area_map"].clear()
    site["area_map"].update(AREA_MAP)
    (folder / "site.yaml").write_text(dump(site), encoding="utf-8")
    return folder


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["import-mhlw", *args, "--today", TODAY, "--published", PUBLISHED], catch_exceptions=False
    )
    return result.exit_code, result.output


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def raw_rows() -> list[dict[str, str]]:
    rows = []
    for path in sorted(SAMPLES.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows += list(csv.DictReader(f))
    return rows


# --- cleaning, value by value ---------------------------------------------------------------


def test_clean_phone_hyphens_and_full_width():
    codes = {"029"}
    assert clean_phone("029－353-8010", codes) == "029-353-8010"
    assert clean_phone("029‐353‐8102", codes) == "029-353-8102"
    assert clean_phone("0292266555", codes) == "029-226-6555"
    assert clean_phone("029835-3515", codes) == "029-835-3515"
    assert clean_phone("09012345678", codes) == "090-1234-5678"
    assert clean_phone("０４８９９９００００", codes) == "0489990000"  # area code not seen: digits kept
    assert clean_phone("", codes) is None
    with pytest.raises(ValueError, match="expected a Japanese phone number"):
        clean_phone("不明", codes)


def test_clean_url_email_and_scheme_typos():
    assert clean_url("www.royel.co.jp") == ("http://www.royel.co.jp", None)
    assert clean_url("wachi1212.co.jp") == ("http://wachi1212.co.jp", None)
    assert clean_url("http//www.hokuyoukai.jp/") == ("http://www.hokuyoukai.jp/", None)
    assert clean_url("https:/www.tsumasato.ibaki.jp") == ("https://www.tsumasato.ibaki.jp", None)
    assert clean_url("htpps://www.tsumasato.ibaraki.jp") == ("https://www.tsumasato.ibaraki.jp", None)
    assert clean_url("https://www.kuribara.co,jp") == ("https://www.kuribara.co.jp", None)
    assert clean_url("r-cospiy@dream.ocn.ne.jp") == (None, "r-cospiy@dream.ocn.ne.jp")
    assert clean_url("") == (None, None)
    with pytest.raises(ValueError) as error:
        clean_url("mickeys-kaigo.jo")
    assert str(error.value) == "not a web address or e-mail: 'mickeys-kaigo.jo'; left out"


def test_clean_address_prefecture_city_and_building():
    assert clean_address("水戸市百合が丘町8番3", "", "茨城県", "水戸市") == "茨城県水戸市百合が丘町8番3"
    assert clean_address("中１０８７番地", "", "茨城県", "土浦市") == "茨城県土浦市中1087番地"
    assert clean_address("茨城県　水戸市　見川町　2131－105", "", "茨城県", "水戸市") == "茨城県水戸市見川町2131-105"
    assert (
        clean_address(
            "茨城県土浦市荒川沖西２ー１－１さらさ荒川沖テナント1階003号室",
            "さらさ荒川沖テナント1階003号室",
            "茨城県",
            "土浦市",
        )
        == "茨城県土浦市荒川沖西2-1-1 さらさ荒川沖テナント1階003号室"
    )
    assert clean_address("茨城県荒川沖5-44CBI101", "CBI101", "茨城県", "土浦市") == "茨城県土浦市荒川沖5-44 CBI101"


def test_clean_kana_capacity_hours():
    assert clean_kana("ﾃｽﾄ　さくら") == "テスト サクラ"
    assert clean_kana("ローズウ゛ィラミト") == "ローズヴィラミト"
    assert (
        clean_kana("カンゴショウキボタキノウガタキョタクカイゴ「ヤマノテ」")
        == "カンゴショウキボタキノウガタキョタクカイゴ ヤマノテ"
    )
    assert clean_capacity("0") is None and clean_capacity("") is None and clean_capacity("８０") == 80
    assert (
        compose_hours("平日,土曜日", "夏季休暇(8/15・8/16)（改行）正月休暇(12/30～1/3)")
        == "平日・土曜日 ※夏季休暇(8/15・8/16) 正月休暇(12/30～1/3)"
    )
    assert compose_hours("", "") is None


def test_city_codes():
    assert check_city("082015") is None and check_city("08201") is None and check_city("082031") is None
    assert check_city("082016") == "check digit of 082016 should be 5 (082015)"
    assert check_city("8201") == "expected a local government code such as 082015 (or its 5 digits 08201); got '8201'"


def test_place_longest_town_then_city():
    assert place("茨城県土浦市荒川沖西2-1-1", "土浦市", AREA_MAP) == "東部"
    assert place("茨城県土浦市中1087番地", "土浦市", AREA_MAP) == "南部"
    assert place("茨城県水戸市城南3-15-17", "水戸市", AREA_MAP) is None
    assert place("茨城県水戸市堀町1", "水戸市", {"堀": "北部", "堀町": "南部"}) == "南部"


# --- the sample files ------------------------------------------------------------------------


def test_reads_the_published_format():
    rows = read_csv(SAMPLES / "jigyosho_120.csv")
    assert [r.line for r in rows] == [2, 3, 4, 5]
    first = rows[0].cells
    assert first["都道府県コード又は市町村コード"] == "082015"  # the BOM is not part of the first column name
    assert first["利用可能曜日"] == "平日,土曜日,祝日"  # a quoted multi-value cell stays one cell
    assert first["事業所番号"] == "0870100278"


def test_every_row_imported_or_reported_and_offices_per_city():
    files = sorted(SAMPLES.glob("*.csv"))
    rows = [r for f in files for r in read_csv(f)]
    site = (ROOT / "data" / "site.yaml").read_text(encoding="utf-8")
    plan = plan_import(
        [f.name for f in files],
        rows,
        site,
        {},
        Options(["082015", "08203"], dt.date(2026, 1, 10), dt.date(2025, 12, 1)),
    )
    every = {(r.file, r.line) for r in rows}
    assert len(every) == 193
    assert plan.imported_rows | plan.reported_rows == every
    distinct: dict[str, set[str]] = {}
    for raw in raw_rows():
        distinct.setdefault(raw["都道府県コード又は市町村コード"], set()).add(raw["事業所番号"])
    merged: dict[str, set[str]] = {}
    for office in plan.offices:
        merged.setdefault(office.city, set()).add(office.number)
    assert (
        {c: len(n) for c, n in merged.items()}
        == {c: len(n) for c, n in distinct.items()}
        == {"082015": 77, "082031": 44}
    )


def test_import_samples_summary_and_files(data: Path):
    code, out = run(str(SAMPLES), "--city", "082015", "--city", "08203", "--data", str(data))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[:4] == [
        "Read 193 rows from 16 files: 193 of the cities asked for, 0 of other municipalities left out.",
        "Offices: 121 (082015 水戸市: 77, 082031 土浦市: 44)",
        f"Services added to {data / 'site.yaml'}: 短期入所療養介護（療養病床を有する病院等） (230), "
        "特定施設入居者生活介護（有料老人ホーム） (331), 地域密着型介護老人福祉施設入所者生活介護 (540), "
        "介護医療院 (550), 短期入所療養介護（介護医療院） (551)",
        "Values left out or rows not imported (1):",
    ]
    assert "  jigyosho_410.csv:13: URL: not a web address or e-mail: 'mickeys-kaigo.jo'; left out" in lines
    assert not any(
        "08B0300010" in line for line in lines[: lines.index("Values left out or rows not imported (1):") + 3]
    )
    assert (
        "  0810110759 城南病院通所リハビリテーション: 茨城県水戸市城南3-15-17 (jigyosho_160.csv:5); not written"
        in lines
    )
    assert lines[-1] == (
        f"added {121 - len(UNPLACED)}, updated 0, unchanged 0, vanished 0, "
        f"unplaced {len(UNPLACED)} ({len(UNPLACED)} not written), skipped 0"
    )
    written = sorted(p.stem for p in (data / "providers").glob("*.yaml"))
    assert len(written) == 121 - len(UNPLACED)
    unplaced = [line.split()[0] for line in lines if line.endswith("; not written")]
    assert unplaced == UNPLACED
    assert not any(f"mhlw-{n.lower()}" in written for n in UNPLACED)


def test_cleaned_values_against_the_raw_rows(data: Path):
    run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    yaml = round_trip()

    def provider(number: str) -> dict:
        return yaml.load((data / "providers" / f"mhlw-{number.lower()}.yaml").read_text(encoding="utf-8"))

    kurumi = provider("0850180019")  # four files, capacities 140/40/80/80, address once full-width
    assert list(kurumi["services"]) == [
        "訪問リハビリテーション",
        "通所リハビリテーション",
        "短期入所療養介護（介護老人保健施設）",
        "介護老人保健施設",
    ]
    assert kurumi["name"] == "介護老人保健施設 くるみ館" and kurumi["capacity"] == 80
    assert kurumi["address"] == "茨城県水戸市河和田町3335-1" and kurumi["area"] == "西部"
    assert list(kurumi["source"]["files"]) == [
        "jigyosho_140.csv",
        "jigyosho_160.csv",
        "jigyosho_220.csv",
        "jigyosho_520.csv",
    ]
    welcia = provider("0870100278")  # 住所 without the prefecture, 定員 0
    assert welcia["address"] == "茨城県水戸市百合が丘町8番3" and "capacity" not in welcia
    assert welcia["hours"] == "平日・土曜日・祝日 ※日曜日、年始（1月1日～1月3日）は休業"
    asahi = provider("0870303146")  # 方書 repeated in 住所, full-width digits and ー as a hyphen
    assert asahi["address"] == "茨城県土浦市荒川沖西2-1-1 さらさ荒川沖テナント1階003号室"
    assert asahi["area"] == "東部" and asahi["phone"] == "050-3317-6977"
    tanno = provider("0810112045")  # phone and FAX without hyphens
    assert (tanno["phone"], tanno["fax"]) == ("029-226-6555", "029-225-3725")
    royel = provider("0870100450")  # `www.` without a scheme
    assert royel["url"] == "http://www.royel.co.jp"
    cosmo = provider("0850180035")  # an e-mail address in the URL column
    assert cosmo["email"] == "r-cospiy@dream.ocn.ne.jp" and "url" not in cosmo
    rose = provider("0870100732")  # `ウ゛` for `ヴ` in the kana name
    assert rose["name_kana"] == "ローズヴィラミト"
    medical = provider("0810310110")  # 住所 `中１０８７番地` without prefecture or city
    assert medical["address"] in ("茨城県土浦市中1087番地", "茨城県土浦市中1087") and medical["area"] == "南部"
    new = provider("0870102894")
    # Never answered: no confirmation date (the import date is source.imported).
    assert dict(new["status"]) == {
        "operation": "open",
        "new_clients": "unknown",
        "alternative_support": "unknown",
        "post_infection": "unknown",
    }
    assert list(new["maintainers"]) == []
    assert {k: new["source"][k] for k in ("dataset", "license", "published", "imported")} == {
        "dataset": "介護サービス情報公表システム（厚生労働省）",
        "license": "CC BY 4.0",
        "published": dt.date(2025, 12, 1),
        "imported": dt.date(2026, 1, 10),
    }
    assert provider("08B0300010")["office_number"] == "08B0300010"  # 介護医療院 numbers carry a letter
    assert provider("08B0300010")["source"]["original"]["office_number"] == "08B0300010"


def test_new_services_are_appended_to_site_yaml(data: Path):
    before = (data / "site.yaml").read_text(encoding="utf-8")
    run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    after = (data / "site.yaml").read_text(encoding="utf-8")
    added = (
        '  短期入所療養介護（療養病床を有する病院等）: "230"\n  特定施設入居者生活介護（有料老人ホーム）: "331"\n'
        '  地域密着型介護老人福祉施設入所者生活介護: "540"\n  介護医療院: "550"\n  短期入所療養介護（介護医療院）: "551"\n'
    )
    anchor = '  地域密着型通所介護: "780"\n'
    assert after == before.replace(anchor, anchor + added)


def test_no_new_services_reports_the_rows(data: Path):
    before = tree_hash(data)
    code, out = run(
        str(SAMPLES / "jigyosho_550.csv"),
        str(SAMPLES / "jigyosho_160.csv"),
        "--city",
        "082031",
        "--data",
        str(data),
        "--no-new-services",
    )
    assert code == 0
    assert (
        "  jigyosho_550.csv:2: サービスの種類: 介護医療院 (code 550) is not among the services of "
        f"{data / 'site.yaml'}; row not imported (--no-new-services)"
    ) in out.splitlines()
    assert tree_hash(data)["site.yaml"] == before["site.yaml"]
    assert not (data / "providers" / "mhlw-08b0300010.yaml").exists()


@pytest.mark.slow
def test_second_run_changes_nothing(data: Path):
    run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    before = tree_hash(data)
    code, out = run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    assert code == 0
    assert tree_hash(data) == before
    assert out.splitlines()[-1] == (
        f"added 0, updated 0, unchanged {121 - len(UNPLACED)}, vanished 0, "
        f"unplaced {len(UNPLACED)} ({len(UNPLACED)} not written), skipped 0"
    )


HAND_EDITED = """\
# 受入れ状況は毎週金曜に更新します。
name: 介護老人保健施設 くるみ館
name_kana: カイゴロウジンホケンシセツ クルミカン
office_number: "0850180019"
services: [訪問リハビリテーション, 通所リハビリテーション, 短期入所療養介護（介護老人保健施設）, 介護老人保健施設]
area: 北部   # 送迎の範囲に合わせて変更
address: 茨城県水戸市河和田町3335-1
phone: 029-255-0000
"""


@pytest.mark.slow
def test_reimport_keeps_hand_edits_byte_for_byte(data: Path, tmp_path: Path):
    run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    path = data / "providers" / "mhlw-0850180019.yaml"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("phone: 029-255-4774\n", 1)
    edited = (
        (HAND_EDITED + rest)
        .replace("maintainers: []", "maintainers: [kurumi-kan]")
        .replace("  new_clients: unknown\n", "  new_clients: conditional  # 要相談\n  conditions: 入浴は午前のみ。\n")
        .replace("source:\n", "notes: |\n  認知症の方の受入れ実績があります。\nsource:\n")
    )
    path.write_text(edited, encoding="utf-8")

    code, out = run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    assert path.read_text(encoding="utf-8") == edited
    assert "  providers/mhlw-0850180019.yaml: area: 北部 (open data: 西部)" in out.splitlines()
    assert "  providers/mhlw-0850180019.yaml: phone: 029-255-0000 (open data: 029-255-4774)" in out.splitlines()

    # The next publication changes the name, the phone and the FAX of this office.
    newer = tmp_path / "newer"
    shutil.copytree(SAMPLES, newer)
    for name in ("jigyosho_140.csv", "jigyosho_160.csv", "jigyosho_220.csv", "jigyosho_520.csv"):
        csv_path = newer / name
        csv_path.write_bytes(
            csv_path.read_bytes()
            .replace("くるみ館".encode(), "くるみの館".encode())
            .replace(b"029-255-4774", b"029-255-1111")
            .replace(b"029-255-5888", b"029-255-2222")
        )
    code, out = run(str(newer), "--city", "082015", "--city", "082031", "--data", str(data))
    assert code == 0
    after = path.read_text(encoding="utf-8")
    expected = (
        edited.replace("name: 介護老人保健施設 くるみ館", "name: 介護老人保健施設 くるみの館")
        .replace("fax: 029-255-5888", "fax: 029-255-2222")
        .replace("    name: 介護老人保健施設 くるみ館", "    name: 介護老人保健施設 くるみの館")
        .replace("    phone: 029-255-4774", "    phone: 029-255-1111")
        .replace("    fax: 029-255-5888", "    fax: 029-255-2222")
    )
    assert after == expected
    assert "  providers/mhlw-0850180019.yaml: phone: 029-255-0000 (open data: 029-255-1111)" in out.splitlines()
    assert out.splitlines()[-1].startswith("added 0, updated 1, unchanged ")


@pytest.mark.slow
def test_vanished_offices_are_marked_not_deleted(data: Path, tmp_path: Path):
    run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    newer = tmp_path / "newer"
    shutil.copytree(SAMPLES, newer)
    csv_path = newer / "jigyosho_120.csv"
    csv_path.write_bytes(
        b"".join(line for line in csv_path.read_bytes().splitlines(keepends=True) if b"0870102894" not in line)
    )
    code, out = run(str(newer), "--city", "082015", "--city", "082031", "--data", str(data))
    assert "  providers/mhlw-0870102894.yaml: アースサポート水戸" in out.splitlines()
    assert ", vanished 1, " in out.splitlines()[-1]
    path = data / "providers" / "mhlw-0870102894.yaml"
    assert "  vanished: 2026-01-10\n" in path.read_text(encoding="utf-8")
    code, out = run(str(newer), "--city", "082015", "--city", "082031", "--data", str(data))
    assert "  providers/mhlw-0870102894.yaml: アースサポート水戸 (already marked)" in out.splitlines()
    assert "updated 0" in out.splitlines()[-1]
    run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    assert "vanished" not in path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_partial_import_keeps_services_of_files_not_given(data: Path):
    run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data))
    code, out = run(str(SAMPLES / "jigyosho_160.csv"), "--city", "082015", "--data", str(data))
    assert code == 0 and ", vanished 0, " in out.splitlines()[-1]
    kurumi = round_trip().load((data / "providers" / "mhlw-0850180019.yaml").read_text(encoding="utf-8"))
    assert len(kurumi["services"]) == 4 and len(kurumi["source"]["files"]) == 4
    assert (data / "providers" / "mhlw-0870102894.yaml").read_text(encoding="utf-8").count("vanished") == 0


def test_hand_made_record_is_left_alone(data: Path):
    (data / "providers").mkdir()
    hand = data / "providers" / "welcia.yaml"
    hand.write_text('name: ウエルシア\noffice_number: "0870100278"\n', encoding="utf-8")
    code, out = run(str(SAMPLES / "jigyosho_120.csv"), "--city", "082015", "--data", str(data))
    assert (
        "  0870100278 ウエルシア介護サービス水戸: already in providers/welcia.yaml (entered by hand, "
        "no source block); left alone"
    ) in out.splitlines()
    assert hand.read_text(encoding="utf-8") == 'name: ウエルシア\noffice_number: "0870100278"\n'
    assert out.splitlines()[-1] == "added 1, updated 0, unchanged 0, vanished 0, unplaced 0, skipped 1"


def test_dry_run_writes_nothing(data: Path):
    before = tree_hash(data)
    code, out = run(str(SAMPLES / "jigyosho_120.csv"), "--city", "082015", "--data", str(data), "--dry-run")
    assert code == 0 and tree_hash(data) == before
    assert out.splitlines()[-4:] == [
        "Dry run: nothing written. Would change:",
        "  + providers/mhlw-0870100278.yaml: ウエルシア介護サービス水戸",
        "  + providers/mhlw-0870102894.yaml: アースサポート水戸",
        "added 2, updated 0, unchanged 0, vanished 0, unplaced 0, skipped 0",
    ]


def test_default_area_places_the_unplaced(data: Path):
    code, out = run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data), "--default-area", "中部")
    assert out.splitlines()[-1] == (
        f"added 121, updated 0, unchanged 0, vanished 0, unplaced {len(UNPLACED)}, skipped 0"
    )
    assert "area: 中部\n" in (data / "providers" / "mhlw-0810110759.yaml").read_text(encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["import-mhlw", str(SAMPLES), "--city", "082015", "--data", str(data), "--default-area", "中央"]
    )
    assert str(result.exception) == (
        f"--default-area: expected one of the areas in {data / 'site.yaml'} (北部, 中部, 南部, 東部, 西部); got '中央'"
    )


def test_hand_made_fixture(data: Path):
    code, out = run(str(FIXTURES), "--city", "08201", "--city", "082031", "--data", str(data))
    assert code == 0, out
    assert out.splitlines()[:2] == [
        "Read 6 rows from 1 files: 5 of the cities asked for, 1 of other municipalities left out.",
        "Offices: 2 (082015 水戸市: 1, 082031 土浦市: 1)",
    ]
    assert (
        "  kaigo_sample.csv:4: サービスの種類: unknown service '訪問マッサージ' (no code in the file name either); "
        "row not imported" in out.splitlines()
    )
    assert (
        "  kaigo_sample.csv:5: 電話番号: expected a Japanese phone number such as 029-000-1111; got '不明'; left out"
        in out.splitlines()
    )
    assert (
        "  kaigo_sample.csv:6: 事業所番号: expected a 10-character office number; got '087019999'; row not imported"
        in out.splitlines()
    )
    assert "  0870399993 テスト電話なし: no usable phone number (required); not written" in out.splitlines()
    text = (data / "providers" / "mhlw-0870199991.yaml").read_text(encoding="utf-8")
    doc = round_trip().load(text)
    assert list(doc["services"]) == ["療養通所介護", "看護小規模多機能型居宅介護"]
    assert (doc["name"], doc["name_kana"]) == ("テスト療養デイ さくら", "テストリョウヨウデイ サクラ")
    assert (doc["address"], doc["phone"], doc["fax"]) == ("茨城県水戸市見川町1234-5", "029-999-0001", "029-999-0002")
    assert (doc["url"], doc["email"], doc["capacity"]) == ("http://www.example.jp", "info@example.jp", 18)
    assert doc["hours"] == "平日・土曜日 ※年末年始は休業 送迎あり"


def test_city_option_errors(data: Path):
    result = CliRunner().invoke(cli, ["import-mhlw", str(FIXTURES), "--city", "082016", "--data", str(data)])
    assert result.exit_code == 2
    assert "Invalid value for '--city': check digit of 082016 should be 5 (082015)" in result.output


def test_not_utf8_is_a_clean_error(data: Path, tmp_path: Path):
    bad = tmp_path / "jigyosho_150.csv"
    bad.write_bytes((FIXTURES / "kaigo_sample.csv").read_bytes().decode("utf-8-sig").encode("cp932"))
    result = CliRunner().invoke(cli, ["import-mhlw", str(bad), "--city", "082015", "--data", str(data)])
    assert isinstance(result.exception, TsunaguError)
    assert str(result.exception) == (
        "jigyosho_150.csv:1: not UTF-8 text (byte 0x93); use the file as downloaded, "
        "not re-saved by a spreadsheet\n1 error found; nothing was written."
    )


@pytest.mark.slow
def test_imported_data_validates_and_builds(data: Path, tmp_path: Path):
    from tsunagu.data.load import load_tree
    from tsunagu.data.validate import validate_tree

    run(str(SAMPLES), "--city", "082015", "--city", "082031", "--data", str(data), "--default-area", "中部")
    directory = validate_tree(load_tree(data), dt.date(2026, 1, 10))
    assert directory is not None
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(data), "--out", str(out), "--no-search", "--today", "2026-01-10"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() or any(out.iterdir())


# --- hostile and real-world input -----------------------------------------------------------


def _sample_csv(tmp_path: Path, name: str = "jigyosho_150.csv", **changes: str) -> Path:
    """The fixture CSV with cells of its first row replaced."""
    with open(FIXTURES / "kaigo_sample.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for column, value in changes.items():
        rows[1][rows[0].index(column)] = value
    path = tmp_path / name
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return path


def test_a_cell_over_csvs_own_limit_is_a_clean_error(tmp_path: Path):
    path = _sample_csv(tmp_path, 事業所名="デ" * 200_000)
    with pytest.raises(DataError) as info:
        read_csv(path)
    assert str(info.value) == (
        "jigyosho_150.csv:2: 事業所名: cell too long (200,000 characters; at most 10,000); "
        "not the published data\n1 error found; nothing was written."
    )
    assert csv.field_size_limit() == 131_072, "the process-wide csv limit is restored"


def test_a_cell_over_csvs_own_limit_through_the_cli(data: Path, tmp_path: Path):
    path = _sample_csv(tmp_path, 備考="x" * 131_073)
    result = CliRunner().invoke(cli, ["import-mhlw", str(path), "--city", "082015", "--data", str(data)])
    assert isinstance(result.exception, DataError), result.exception
    assert "jigyosho_150.csv:2: 備考: cell too long (131,073 characters; at most 10,000)" in str(result.exception)


def test_a_fifo_or_device_as_source_is_refused_without_hanging(tmp_path: Path):
    fifo = tmp_path / "jigyosho_150.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError) as info:
        read_csv(fifo)
    assert str(info.value).splitlines()[0] == "jigyosho_150.csv: FIFO (named pipe), not a regular file; refused"
    with pytest.raises(DataError) as info:
        read_csv(Path("/dev/zero"))
    assert str(info.value).splitlines()[0] == "zero: character device, not a regular file; refused"


def test_a_linked_provider_file_is_refused_before_anything_is_written(data: Path, tmp_path: Path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: x\n", encoding="utf-8")
    (data / "providers").mkdir()
    (data / "providers" / "j0870199991.yaml").symlink_to(outside)
    result = CliRunner().invoke(
        cli, ["import-mhlw", str(FIXTURES), "--city", "082015", "--data", str(data), "--default-area", "中部"]
    )
    assert isinstance(result.exception, DataError), result.output
    assert (
        str(result.exception)
        .splitlines()[0]
        .endswith(
            "providers/j0870199991.yaml: symbolic link; data files must be regular files inside the data folder "
            "(links are never followed)"
        )
    )
    assert outside.read_text(encoding="utf-8") == "name: x\n"


@pytest.mark.parametrize(
    "bad, shown",
    [
        ("\x1b[31m", "control character U+001B (ESCAPE)"),
        ("\u202e", "bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("\u2066", "bidirectional control U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        ("\x9b", "control character U+009B"),
        ("\x07", "control character U+0007"),
    ],
)
def test_control_characters_are_reported_and_removed(tmp_path: Path, bad: str, shown: str):
    path = _sample_csv(tmp_path, 事業所名=f"テスト{bad}デイ", 住所=f"見川町{bad}1234-5")
    row = read_csv(path)[0]
    record, found = clean_row(row, set(), {})
    assert [str(p) for p in found] == [
        f"jigyosho_150.csv:2: 事業所名: {shown} removed from the value",
        f"jigyosho_150.csv:2: 住所: {shown} removed from the value",
    ]
    assert record is not None and record.values["name"] == "テストデイ"
    assert bad not in record.values["address"]


def test_imported_files_never_hold_control_characters(data: Path, tmp_path: Path):
    source = tmp_path / "in"
    source.mkdir()
    _sample_csv(source, 事業所名="テスト\x1b]8;;http://evil/\x07デイ\u202e", 利用可能曜日特記事項="年末\u2067年始")
    result = CliRunner().invoke(
        cli,
        [
            "import-mhlw",
            str(source),
            "--city",
            "082015",
            "--data",
            str(data),
            "--default-area",
            "中部",
            "--today",
            TODAY,
            "--published",
            PUBLISHED,
        ],
    )
    assert result.exit_code == 0, result.output
    written = "".join(p.read_text(encoding="utf-8") for p in (data / "providers").glob("*.yaml"))
    assert written and not any(c in written for c in "\x1b\x07\u202e\u2067")
    assert "事業所名: control character U+001B (ESCAPE) removed from the value" in result.output


def _every_sample_reading() -> list[str]:
    return sorted({r["事業所名カナ"] for r in raw_rows() if r["事業所名カナ"].strip()}) if SAMPLES.is_dir() else []


def test_every_reading_of_the_samples_validates_as_written():
    readings = _every_sample_reading()
    assert len(readings) > 100 and any("「" in r for r in readings) and any("\u3000" in r for r in readings)
    for raw in readings:
        record = Provider.model_validate(
            {
                "name": "x",
                "name_kana": raw,
                "services": ["通所介護"],
                "area": "北部",
                "address": "x",
                "phone": "029-000-1111",
                "status": {"updated": dt.date(2026, 1, 1)},
            }
        )
        assert record.name_kana == clean_kana(raw), raw


@pytest.mark.parametrize(
    "written, kept",
    [
        ("「デイサービス　さくら」", "デイサービス サクラ"),
        ("ﾃﾞｲｻｰﾋﾞｽ", "デイサービス"),
        ("でいさーびす", "デイサービス"),
        ("ウ゛ィラ", "ヴィラ"),
        ("ＡＢＣ（１２３）", "ABC(123)"),
        ("『ケア』プラン＆サポート", "ケア プラン&サポート"),
    ],
)
def test_harmless_reading_variants_are_normalised(written: str, kept: str):
    assert normalize_kana(written) == kept


@pytest.mark.parametrize("written", ["介護", "デイ<script>", "デイ\u202eサ", "デイ;DROP"])
def test_readings_that_are_not_katakana_are_refused(written: str):
    with pytest.raises(ValueError, match="expected katakana such as デイサービスサクラ"):
        Provider.model_validate(
            {
                "name": "x",
                "name_kana": written,
                "services": ["通所介護"],
                "area": "北部",
                "address": "x",
                "phone": "029-000-1111",
                "status": {"updated": dt.date(2026, 1, 1)},
            }
        )


# --- the importer never writes what the validator refuses ------------------------------------


@pytest.mark.parametrize("cell", ["20170814", "12000"])
def test_a_capacity_the_validator_refuses_is_left_out_and_reported(data: Path, tmp_path: Path, cell: str):
    path = _sample_csv(tmp_path, 定員=cell)
    code, out = run(str(path), "--city", "082015", "--data", str(data))
    assert code == 0, out
    assert "jigyosho_150.csv:2: 定員: " in out and f"{cell!r}; left out" in out
    written = (data / "providers" / "mhlw-0870199991.yaml").read_text(encoding="utf-8")
    assert "capacity: 18" in written, "the other row's capacity is kept"
    assert cell not in written
    result = CliRunner().invoke(cli, ["validate", "--data", str(data), "--today", TODAY])
    assert result.exit_code == 0, result.output


def test_a_site_yaml_without_services_gets_them(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "site.yaml").write_text('title: "t"\nregion: "r"\nareas: ["中部"]\n', encoding="utf-8")
    code, out = run(
        str(FIXTURES / "kaigo_sample.csv"), "--city", "082015", "--data", str(folder), "--default-area", "中部"
    )
    assert code == 0, out
    site = round_trip().load((folder / "site.yaml").read_text(encoding="utf-8"))
    assert dict(site["services"]) == {"療養通所介護": "155", "看護小規模多機能型居宅介護": "770"}


def test_site_settings_of_the_wrong_shape_are_reported_not_a_traceback(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "site.yaml").write_text('title: "t"\nareas: 中部\nservices: [通所介護]\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["import-mhlw", str(FIXTURES / "kaigo_sample.csv"), "--city", "082015", "--data", str(folder)]
    )
    assert isinstance(result.exception, DataError), result.exception
    assert str(result.exception).splitlines() == [
        f"{folder / 'site.yaml'}:2: areas: expected a list, such as  areas: [北部, 南部]",
        f'{folder / "site.yaml"}:3: services: expected a mapping, such as  訪問介護: "110"',
        "2 errors found; nothing was written.",
    ]


@pytest.mark.scale
def test_the_eastern_open_data_imports_to_files_that_validate(tmp_path_factory, tmp_path: Path):
    """Every office of the real rows with the most unusual cells (all of 32,068 rows scanned) validates as written."""
    from samples import mhlw_east

    from tsunagu.data.load import load_tree
    from tsunagu.data.validate import validate_tree

    east = mhlw_east(tmp_path_factory)
    rows = [r for p in sorted(east.glob("*.csv")) for r in read_csv(p)]

    def odd(r):
        return (
            not r.cells["定員"].isdigit()
            or int(r.cells["定員"]) > 500
            or len(r.cells["事業所名"]) > 40
            or len(r.cells["URL"]) > 60
        )

    numbers = {r.cells["事業所番号"] for r in rows if odd(r)}
    picked = [r for r in rows if r.cells["事業所番号"] in numbers]
    assert len(picked) > 100 and any(r.cells["定員"] == "20141219" for r in picked)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "site.yaml").write_text('title: "t"\nregion: "r"\nareas: ["全域"]\n', encoding="utf-8")
    cities = sorted({r.cells["都道府県コード又は市町村コード"] for r in picked})
    plan = plan_import(
        sorted({r.file for r in picked}),
        picked,
        (folder / "site.yaml").read_text(encoding="utf-8"),
        {},
        Options(cities, dt.date(2026, 1, 10), dt.date(2025, 12, 1), "全域"),
    )
    from tsunagu.importers.mhlw.write import write_plan

    write_plan(plan, folder)
    assert any(p.field == "定員" and "20141219" in p.message for p in plan.problems)
    directory = validate_tree(load_tree(folder), dt.date(2026, 1, 10))
    assert len(directory.providers) == plan.count("added") > 100


FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "@SUM(1)", '=HYPERLINK("http://evil/","x")']


def test_formula_cells_of_the_open_data_stay_text_in_every_csv_the_tools_write(data: Path, tmp_path: Path):
    # The open data is not ours: a name that is a formula reaches the admin's spreadsheet through the link
    # list, the stale list, the answer template and the status CSV. It must arrive there as text.
    from tsunagu.contribute.answers import template
    from tsunagu.contribute.linklist import LINK_HEADER, STALE_HEADER, link_rows, to_csv
    from tsunagu.data.load import load_tree
    from tsunagu.data.validate import validate_tree
    from tsunagu.domain.config import Config
    from tsunagu.render.pages import make_entries
    from tsunagu.render.sheet import providers_csv

    source = tmp_path / "in"
    source.mkdir()
    with open(FIXTURES / "kaigo_sample.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    column = rows[0].index("事業所名")
    for row, formula in zip(rows[1:], FORMULAS, strict=False):
        row[column] = formula
    with open(source / "jigyosho_150.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    result = CliRunner().invoke(
        cli,
        [
            "import-mhlw",
            str(source),
            "--city",
            "082015",
            "--data",
            str(data),
            "--default-area",
            "中部",
            "--today",
            TODAY,
            "--published",
            PUBLISHED,
        ],
    )
    assert result.exit_code == 0, result.output
    directory = validate_tree(load_tree(data), dt.date(2026, 1, 10))
    assert len({p.name for p in directory.providers} & set(FORMULAS)) >= 2
    providers, _physicians = make_entries(directory, Config(data_dir=data, today=dt.date(2026, 1, 10)))
    written = {
        "links": to_csv(link_rows(directory, None, "", dt.date(2026, 1, 10)), LINK_HEADER),
        "stale": to_csv(link_rows(directory, None, "", dt.date(2026, 1, 10), stale_only=True), STALE_HEADER),
        "answers": template(directory),
        "status": providers_csv(providers),
    }
    for name, body in written.items():
        cells = [c for r in csv.reader(body.decode("utf-8-sig").splitlines()) for c in r]
        assert [c for c in cells if c.startswith(("=", "+", "-", "@"))] == [], name
        assert name == "stale" or any(c == "'" + FORMULAS[0] for c in cells), name


def test_mixed_encodings_a_shifted_header_and_nul_are_refused_or_reported(tmp_path: Path):
    with open(FIXTURES / "kaigo_sample.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    text = "\r\n".join(",".join(r) for r in rows[:3]) + "\r\n"
    mixed = tmp_path / "jigyosho_150.csv"
    mixed.write_bytes(text.encode() + ",".join(rows[3]).encode("cp932") + b"\r\n")
    with pytest.raises(DataError) as info:
        read_csv(mixed)
    assert str(info.value).startswith("jigyosho_150.csv:4: not UTF-8 text (byte 0x")
    shifted = tmp_path / "shifted" / "jigyosho_150.csv"
    shifted.parent.mkdir()
    with open(shifted, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([["", *rows[0]], *rows[1:3]])
    with pytest.raises(DataError) as info:
        read_csv(shifted)
    assert [str(p) for p in info.value.problems] == [
        f"jigyosho_150.csv:{n}: expected {len(rows[0]) + 1} cells; found {len(rows[0])}" for n in (2, 3)
    ]
    row = read_csv(_sample_csv(tmp_path, 事業所名="テスト\x00デイ"))[0]
    record, found = clean_row(row, set(), {})
    assert record is not None and record.values["name"] == "テストデイ"
    assert [str(p) for p in found] == [
        "jigyosho_150.csv:2: 事業所名: control character U+0000 (NULL) removed from the value"
    ]


def test_an_empty_folder_is_pointed_to_init(tmp_path: Path):
    result = CliRunner().invoke(cli, ["import-mhlw", str(SAMPLES), "--city", "082015", "--data", str(tmp_path)])
    assert result.exit_code == 1 and isinstance(result.exception, TsunaguError)
    assert str(result.exception) == (
        f"{tmp_path / 'site.yaml'}: not found; --data must name a data folder "
        "(a new region starts with `tsunagu init DIR`, which writes it and imports)"
    )
