"""Validate stage: every kind of data error, with its exact message and line, all in one run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PHYSICIAN_X, PROVIDER_X, TODAY, load_directory, problems, write

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import DataError

DAY_X = "data/providers/day-x.yaml"
DOC_X = "data/physicians/doc-x.yaml"


def provider(old: str, new: str) -> None:
    """Write providers/day-x.yaml: the known-good provider with one line changed."""
    assert old in PROVIDER_X, old
    write(Path(DAY_X), PROVIDER_X.replace(old, new))


def physician(old: str, new: str) -> None:
    assert old in PHYSICIAN_X, old
    write(Path(DOC_X), PHYSICIAN_X.replace(old, new))


def test_fixture_tree_and_known_good_records_are_clean(data_dir):
    provider("", "")
    physician("", "")
    assert problems(data_dir) == []


def test_demo_data_is_clean():
    from conftest import DEMO_DATA

    directory = load_directory(DEMO_DATA)
    assert len(directory.providers) >= 40 and len(directory.physicians) >= 15


PROVIDER_CASES = {
    "missing required": ("name: デイサービスエックス\n", "", f"{DAY_X}:1: name: required field is missing"),
    "missing required nested": (
        "  updated: 2026-11-20\n",
        "",
        f"{DAY_X}:10: status.updated: required once the status is answered (a date such as 2026-11-20); got none",
    ),
    "unknown key": (
        "  new_clients: accepting\n",
        "  new_client: accepting\n",
        f"{DAY_X}:12: status.new_client: unknown field; did you mean 'new_clients'?",
    ),
    "unknown top-level key": (
        "maintainers: [day-x]\n",
        "maintainer: [day-x]\n",
        f"{DAY_X}:14: maintainer: unknown field; did you mean 'maintainers'?",
    ),
    "area vocabulary": (
        "area: 北部\n",
        "area: 北\n",
        f"{DAY_X}:5: area: expected one of 北部, 中部, 南部; got '北' (did you mean '北部'?)",
    ),
    "services vocabulary": (
        "services: [通所介護]\n",
        "services: [通所介護, 訪問看護ステーション]\n",
        f"{DAY_X}:4: services[1]: expected one of 通所介護, 訪問介護, 訪問看護, 居宅介護支援; "
        "got '訪問看護ステーション' (did you mean '訪問看護'?)",
    ),
    "acceptance yes": (
        "  new_clients: accepting\n",
        "  new_clients: yes\n",
        f"{DAY_X}:12: status.new_clients: expected one of accepting, conditional, not_accepting, unknown; got 'yes'",
    ),
    "acceptance no": (
        "  new_clients: accepting\n",
        "  new_clients: no\n",
        f"{DAY_X}:12: status.new_clients: expected one of accepting, conditional, not_accepting, unknown; got 'no'",
    ),
    "operation": (
        "  new_clients: accepting\n",
        "  new_clients: accepting\n  operation: 休み\n",
        f"{DAY_X}:13: status.operation: expected one of open, reduced, suspended, closed; got '休み'",
    ),
    "int": (
        "  vacancies: 3\n",
        "  vacancies: 三\n",
        f"{DAY_X}:13: status.vacancies: expected a whole number; got '三'",
    ),
    "int negative": (
        "  vacancies: 3\n",
        "  vacancies: -1\n",
        f"{DAY_X}:13: status.vacancies: expected a number >= 0; got '-1'",
    ),
    "int float": (
        "  vacancies: 3\n",
        "  vacancies: 2.5\n",
        f"{DAY_X}:13: status.vacancies: expected a whole number; got '2.5'",
    ),
    "date": (
        "  updated: 2026-11-20\n",
        "  updated: 2026-13-01\n",
        f"{DAY_X}:11: status.updated: expected a date such as 2026-11-20; got '2026-13-01'",
    ),
    "date text": (
        "  updated: 2026-11-20\n",
        "  updated: 昨日\n",
        f"{DAY_X}:11: status.updated: expected a date such as 2026-11-20; got '昨日'",
    ),
    "future date": (
        "  updated: 2026-11-20\n",
        "  updated: 2026-11-23\n",
        f"{DAY_X}:11: status.updated: date is in the future (today is 2026-11-22); got 2026-11-23",
    ),
    "id differs from file name": (
        "name: デイサービスエックス\n",
        "id: day-y\nname: デイサービスエックス\n",
        f"{DAY_X}:1: id: must equal the file name 'day-x'; got 'day-y'",
    ),
    "email": (
        "email: info@example.jp\n",
        "email: info@\n",
        f"{DAY_X}:8: email: expected an e-mail address such as info@example.jp; got 'info@'",
    ),
    "url javascript": (
        "url: https://example.jp/day-x/\n",
        "url: javascript:alert(1)\n",
        f"{DAY_X}:9: url: expected an http(s) address such as https://example.jp; got 'javascript:alert(1)'",
    ),
    "url data": (
        "url: https://example.jp/day-x/\n",
        "url: data:text/html,<b>x</b>\n",
        f"{DAY_X}:9: url: expected an http(s) address such as https://example.jp; got 'data:text/html,<b>x</b>'",
    ),
    "phone": (
        "phone: 029-000-1111\n",
        "phone: 12345\n",
        f"{DAY_X}:7: phone: expected a Japanese phone number such as 029-000-1111; got '12345'",
    ),
    "phone text": (
        "phone: 029-000-1111\n",
        "phone: 電話なし\n",
        f"{DAY_X}:7: phone: expected a Japanese phone number such as 029-000-1111; got '電話なし'",
    ),
    "office_number": (
        'office_number: "0870100099"\n',
        'office_number: "12345"\n',
        f"{DAY_X}:3: office_number: expected a 10-digit 介護保険事業所番号 such as \"0870100011\"; got '12345'",
    ),
    "office_number unquoted": (
        'office_number: "0870100099"\n',
        "office_number: 870100099\n",
        f"{DAY_X}:3: office_number: expected a 10-digit 介護保険事業所番号 such as \"0870100011\"; got '870100099'",
    ),
    "name_kana": (
        "name_kana: デイサービスエックス\n",
        "name_kana: 介護サービス\n",
        f"{DAY_X}:2: name_kana: expected katakana such as デイサービスサクラ; got '介護サービス'",
    ),
    "services empty": (
        "services: [通所介護]\n",
        "services: []\n",
        f"{DAY_X}:4: services: must list at least one value",
    ),
    "not a list": (
        "maintainers: [day-x]\n",
        "maintainers: day-x\n",
        f"{DAY_X}:14: maintainers: expected a list such as [a, b]; got 'day-x'",
    ),
}


@pytest.mark.parametrize("case", list(PROVIDER_CASES))
def test_provider_error(data_dir, case):
    old, new, expected = PROVIDER_CASES[case]
    provider(old, new)
    assert problems(data_dir) == [expected]


PHYSICIAN_CASES = {
    "missing clinic": ("clinic: やまだ内科クリニック\n", "", f"{DOC_X}:1: clinic: required field is missing"),
    "missing contact.updated": (
        "  updated: 2026-10-01\n",
        "",
        f"{DOC_X}:7: contact.updated: required field is missing",
    ),
    "unknown key": (
        "home_visits: true\n",
        "home_visit: true\n",
        f"{DOC_X}:6: home_visit: unknown field; did you mean 'home_visits'?",
    ),
    "bool": (
        "home_visits: true\n",
        "home_visits: maybe\n",
        f"{DOC_X}:6: home_visits: expected true or false; got 'maybe'",
    ),
    "bool Japanese": (
        "home_visits: true\n",
        "home_visits: はい\n",
        f"{DOC_X}:6: home_visits: expected true or false; got 'はい'",
    ),
    "time window format": (
        '      time: "13:00-14:00"\n',
        '      time: "13時-14時"\n',
        f"{DOC_X}:10: contact.windows[0].time: expected a time range such as \"13:00-14:00\"; got '13時-14時'",
    ),
    "time window order": (
        '      time: "13:00-14:00"\n',
        "      time: 14:00-13:00\n",
        f"{DOC_X}:10: contact.windows[0].time: the end must come after the start; got '14:00-13:00'",
    ),
    "weekday": (
        "    - days: [mon, thu]\n",
        "    - days: [mon, 木]\n",
        f"{DOC_X}:9: contact.windows[0].days[1]: expected one of mon, tue, wed, thu, fri, sat, sun; got '木'",
    ),
    "method": (
        "  methods: [fax, phone]\n",
        "  methods: [fax, pigeon]\n",
        f"{DOC_X}:12: contact.methods[1]: expected one of phone, fax, email, visit, ict, letter; got 'pigeon'",
    ),
    "future date": (
        "  updated: 2026-10-01\n",
        "  updated: 2027-01-01\n",
        f"{DOC_X}:13: contact.updated: date is in the future (today is 2026-11-22); got 2027-01-01",
    ),
    "area": (
        "area: 中部\n",
        "area: 中央\n",
        f"{DOC_X}:3: area: expected one of 北部, 中部, 南部; got '中央' (did you mean '中部'?)",
    ),
}


@pytest.mark.parametrize("case", list(PHYSICIAN_CASES))
def test_physician_error(data_dir, case):
    old, new, expected = PHYSICIAN_CASES[case]
    physician(old, new)
    assert problems(data_dir) == [expected]


def test_time_windows_are_normalised(data_dir):
    physician('      time: "13:00-14:00"\n', "      time: ９:００ 〜 ９:３０\n")
    record = next(p for p in load_directory(data_dir).physicians if p.id == "doc-x")
    assert record.contact.windows[0].time == "09:00-09:30"


def test_full_width_phone_is_normalised(data_dir):
    provider("phone: 029-000-1111\n", "phone: ０２９－０００－１１１１\nfax: ０２９（０００）１１１２\n")
    record = next(p for p in load_directory(data_dir).providers if p.id == "day-x")
    assert record.phone == "029-000-1111"
    assert record.fax == "029-000-1112"


def test_unquoted_office_number_without_leading_zero_is_accepted(data_dir):
    provider('office_number: "0870100099"\n', "office_number: 1270100011\n")
    record = next(p for p in load_directory(data_dir).providers if p.id == "day-x")
    assert record.office_number == "1270100011"


def test_acceptance_defaults_to_unknown(data_dir):
    provider("", "")
    record = next(p for p in load_directory(data_dir).providers if p.id == "day-x")
    assert (record.status.alternative_support, record.status.post_infection) == ("unknown", "unknown")
    assert record.status.operation == "open"


def test_duplicate_id_across_providers_and_physicians(data_dir):
    physician("", "")
    (data_dir / "physicians" / "doc-x.yaml").rename(data_dir / "physicians" / "day-sakura.yaml")
    assert problems(data_dir) == [
        "data/physicians/day-sakura.yaml: id 'day-sakura' is already used by data/providers/day-sakura.yaml"
    ]


@pytest.mark.parametrize("name", ["Day_X", "x", "day x", "-day"])
def test_bad_file_name(data_dir, name):
    write(data_dir / "providers" / f"{name}.yaml", PROVIDER_X)
    assert problems(data_dir) == [
        f"data/providers/{name}.yaml: file name must be an id of lower-case letters, digits and hyphens "
        f"(2-64 characters), such as day-sakura.yaml; got {name!r}"
    ]


def test_record_must_be_a_mapping(data_dir):
    write(Path(DAY_X), "- name: x\n")
    assert problems(data_dir) == [f"{DAY_X}:1: expected a mapping of fields (name: …, area: …)"]


NOTICE_CASES = {
    "missing title": (
        "---\ndate: 2026-11-20\n---\n本文\n",
        ["data/notices/2026-11-20-x.md:2: title: required field is missing"],
    ),
    "unknown key": (
        "---\ntitle: t\ndate: 2026-11-20\nauthor: 市\n---\n",
        ["data/notices/2026-11-20-x.md:4: author: unknown field; expected one of title, date, pinned"],
    ),
    "bad date": (
        "---\ntitle: t\ndate: 11月20日\n---\n",
        ["data/notices/2026-11-20-x.md:3: date: expected a date such as 2026-11-20; got '11月20日'"],
    ),
    "future date": (
        "---\ntitle: t\ndate: 2026-12-01\n---\n",
        ["data/notices/2026-11-20-x.md:3: date: date is in the future (today is 2026-11-22); got 2026-12-01"],
    ),
    "pinned not bool": (
        "---\ntitle: t\ndate: 2026-11-20\npinned: 上\n---\n",
        ["data/notices/2026-11-20-x.md:4: pinned: expected true or false; got '上'"],
    ),
    "no front matter": (
        "# お知らせ\n本文\n",
        ["data/notices/2026-11-20-x.md:1: expected YAML front matter between '---' lines at the top"],
    ),
    "front matter not a mapping": (
        "---\n- a\n---\n",
        ["data/notices/2026-11-20-x.md:2: expected front matter with title and date"],
    ),
}


@pytest.mark.parametrize("case", list(NOTICE_CASES))
def test_notice_front_matter(data_dir, case):
    text, expected = NOTICE_CASES[case]
    write(data_dir / "notices" / "2026-11-20-x.md", text)
    assert problems(data_dir) == expected


def test_notice_file_name(data_dir):
    write(data_dir / "notices" / "oshirase.md", "---\ntitle: t\ndate: 2026-11-20\n---\n")
    assert problems(data_dir) == [
        "data/notices/oshirase.md: notice file name must be YYYY-MM-DD-slug.md; got 'oshirase.md'"
    ]


def test_site_yaml_errors(data_dir):
    text = (data_dir / "site.yaml").read_text()
    write(
        data_dir / "site.yaml",
        text.replace("stale_after_days: 14", "stale_after_day: 14").replace('  訪問介護: "110"', "  訪問介護: 11"),
    )
    assert problems(data_dir) == [
        "data/site.yaml:4: stale_after_day: unknown field; did you mean 'stale_after_days'?",
        "data/site.yaml:8: services.訪問介護: expected a 3-digit service code such as \"150\"; got '11'",
    ]


def test_all_errors_of_a_run_are_reported_together(data_dir):
    provider("  new_clients: accepting\n", "  new_clients: yes\n")
    physician("home_visits: true\n", "home_visits: maybe\n")
    write(data_dir / "notices" / "2026-11-20-x.md", "---\ndate: 2026-11-20\n---\n")
    write(data_dir / "providers" / "broken.yaml", "name: [\n")
    write(data_dir / "providers" / "two.yaml", PROVIDER_X + "---\n")
    with pytest.raises(DataError) as info:
        validate_tree(load_tree(data_dir, keep_going=True), TODAY)
    # The YAML parser's own words (after "not valid YAML: ") are its, not ours: they change between releases.
    assert re.sub(r"(: not valid YAML: )[^\n]+", r"\1…", str(info.value)) == "\n".join(
        [
            "data/notices/2026-11-20-x.md:2: title: required field is missing",
            f"{DOC_X}:6: home_visits: expected true or false; got 'maybe'",
            "data/providers/broken.yaml:2: name[0]: not valid YAML: …",
            f"{DAY_X}:12: status.new_clients: expected one of accepting, conditional, not_accepting, unknown; got 'yes'",
            "data/providers/two.yaml:15: only one YAML document per file (remove the second '---')",
            "5 errors found; nothing was written.",
        ]
    )


def test_problem_annotation_escapes_newlines():
    from tsunagu.domain.errors import Problem

    p = Problem("data/x.yaml", 3, "status.new_clients", "50% bad\nreally")
    assert p.annotation() == "::error file=data/x.yaml,line=3::status.new_clients: 50%25 bad%0Areally"
    assert Problem("data/x.yaml", 0, "", "m").annotation() == "::error file=data/x.yaml::m"


def test_a_never_answered_provider_needs_no_confirmation_date(data_dir):
    # What the importer writes for a new office: defaults only, the import date under source.
    provider(
        "  updated: 2026-11-20\n  new_clients: accepting\n  vacancies: 3\n",
        "  operation: open\n  new_clients: unknown\nsource:\n  dataset: 介護サービス情報公表システム\n"
        "  imported: 2026-11-01\n",
    )
    assert problems(data_dir) == []
    directory = load_directory(data_dir)
    (record,) = [p for p in directory.providers if p.id == "day-x"]
    assert record.status.updated is None and not record.status.answered


@pytest.mark.parametrize(
    "answer", ["  new_clients: conditional\n", "  operation: reduced\n", "  vacancies: 0\n", "  conditions: 午前のみ\n"]
)
def test_any_answer_requires_a_confirmation_date(data_dir, answer):
    provider("  updated: 2026-11-20\n  new_clients: accepting\n  vacancies: 3\n", answer)
    assert problems(data_dir) == [
        f"{DAY_X}:10: status.updated: required once the status is answered (a date such as 2026-11-20); got none"
    ]
