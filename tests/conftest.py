"""Shared fixtures: a small data tree in tmp_path, a fixed date, fast key derivation."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.config import Config
from tsunagu.domain.directory import Directory
from tsunagu.domain.errors import DataError
from tsunagu.pipeline.builder import build
from tsunagu.render.entries import make_entries

TODAY = dt.date(2026, 11, 22)
FAST = 1000  # PBKDF2 iterations in tests; production is >= 600,000
REPO_DIR = Path(__file__).resolve().parents[1]
DEMO_DATA = REPO_DIR / "data"
STRONG = {
    "caremanagers": "correct horse battery staple kagoshima minamata",
    "city": "violet-otter-submarine-1987-lantern",
}

SITE = """\
title: つなぐ テスト市
region: テスト市
site_id: test-city
stale_after_days: 14
areas: [北部, 中部, 南部]
services:
  通所介護: "150"
  訪問介護: "110"
  訪問看護: "130"
  居宅介護支援: "430"
synonyms:
  デイ: [通所介護]
desks:
  - name: テスト市 在宅医療・介護連携支援センター
    phone: 029-000-0100
    hours: 平日 8:30-17:15
    note: 訪問診療に対応する医療機関の紹介
"""

# A provider whose lines the validation tests count on (new_clients is line 12).
PROVIDER_X = """\
name: デイサービスエックス
name_kana: デイサービスエックス
office_number: "0870100099"
services: [通所介護]
area: 北部
address: 茨城県テスト市北条9-9-9
phone: 029-000-1111
email: info@example.jp
url: https://example.jp/day-x/
status:
  updated: 2026-11-20
  new_clients: accepting
  vacancies: 3
maintainers: [day-x]
"""

# A physician whose lines the validation tests count on (time is line 10).
PHYSICIAN_X = """\
name: 山田 太郎
clinic: やまだ内科クリニック
area: 中部
address: 茨城県テスト市竹園2-3-4
phone: 029-000-2222
home_visits: true
contact:
  windows:
    - days: [mon, thu]
      time: "13:00-14:00"
      methods: [phone]
  methods: [fax, phone]
  updated: 2026-10-01
"""

PROVIDERS = {
    "day-sakura": """\
        name: デイサービスさくら
        name_kana: デイサービスサクラ
        office_number: "0870100011"
        services: [通所介護]
        area: 北部
        address: 茨城県テスト市北条1-2-3
        phone: 029-000-1011
        fax: 029-000-1012
        email: day-sakura@example.jp
        capacity: 30
        hours: 月〜土 8:30-17:30
        maintainers: [sakura-day]
        status:
          updated: 2026-11-20
          operation: open
          new_clients: accepting
          alternative_support: conditional
          post_infection: not_accepting
          vacancies: 3
          conditions: |
            入浴は午前のみ。送迎は北部エリアに限ります。
        notes: |
          認知症の方の受入れ実績があります。
        """,
    # Stale (21 days old), and every hostile markup a person could paste into a Markdown field.
    "day-kaede": """\
        name: デイサービスかえで
        services: [通所介護, 居宅介護支援]
        area: 北部
        address: 茨城県テスト市大穂4-5-6
        phone: 029-000-1021
        status:
          updated: 2026-11-01
          new_clients: conditional
          post_infection: accepting
          conditions: |
            要介護 3 以上の方は <script>alert('cond')</script> 相談のうえ
            <iframe src="https://evil.example/frame"></iframe>
        notes: |
          <img src=x onerror="alert(1)">
          [危ないリンク](javascript:alert(2))
          <p style="color:red" onclick="alert(3)">赤い字</p>
          <a href="javascript:alert(4)">直書き</a>
        """,
    "helper-momiji": """\
        name: ヘルパーステーションもみじ
        services: [訪問介護]
        area: 南部
        address: 茨城県テスト市若葉7-8-9
        phone: 029-000-1031
        status:
          updated: 2026-11-21
          operation: suspended
          new_clients: not_accepting
          alternative_support: not_accepting
          post_infection: not_accepting
        """,
}

PHYSICIANS = {
    "yamada-naika": """\
        name: 山田 太郎
        name_kana: ヤマダ タロウ
        clinic: やまだ内科クリニック
        specialties: [内科]
        area: 中部
        address: 茨城県テスト市竹園2-3-4
        phone: 029-000-2011
        fax: 029-000-2012
        home_visits: true
        care_support_doctor: true
        contact:
          windows:
            - days: [mon, thu]
              time: "13:00-14:00"
              methods: [phone]
            - days: [fri]
              time: "17:00-18:00"
              methods: [fax, visit]
          methods: [fax, phone]
          appointment_required: true
          via: 看護師長 経由
          notes: |
            初回は FAX で連絡票を送ってください。
          updated: 2026-10-01
        """,
    "suzuki-clinic": """\
        name: 鈴木 花子
        clinic: すずきクリニック
        area: 南部
        address: 茨城県テスト市若葉1-1-1
        phone: 029-000-2021
        contact:
          methods: [letter]
          updated: 2026-11-15
        """,
}

NOTICES = {
    "2026-11-20-nenmatsu": """\
        ---
        title: 年末年始の受入れ状況の更新のお願い
        date: 2026-11-20
        pinned: true
        ---
        **12 月 25 日まで**に受入れ状況を更新してください。
        """,
}


def write(path: Path, text: str) -> Path:
    """Write a data file (dedented), making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_tree(root: Path) -> Path:
    """The fixture data tree under root/data; returns the data folder."""
    data = Path(root) / "data"
    write(data / "site.yaml", SITE)
    for rid, text in PROVIDERS.items():
        write(data / "providers" / f"{rid}.yaml", text)
    for rid, text in PHYSICIANS.items():
        write(data / "physicians" / f"{rid}.yaml", text)
    for name, text in NOTICES.items():
        write(data / "notices" / f"{name}.md", text)
    return data


def problems(data_dir: Path, today: dt.date = TODAY) -> list[str]:
    """Every problem of a data folder as printed, or [] when it validates."""
    try:
        validate_tree(load_tree(data_dir, keep_going=True), today)
    except DataError as exc:
        return [str(p) for p in exc.problems]
    return []


def load_directory(data_dir: Path, today: dt.date = TODAY) -> Directory:
    return validate_tree(load_tree(data_dir), today)


def fast_config(data_dir: Path, out_dir: Path, **overrides) -> Config:
    """A Config for tests: fixed date, few PBKDF2 iterations."""
    options = dict(data_dir=Path(data_dir), out_dir=Path(out_dir), today=TODAY, iterations=FAST)
    options.update(overrides)
    return Config(**options)


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under root as relative path -> bytes."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture tree in tmp_path, with the working directory there so messages show data/…"""
    monkeypatch.chdir(tmp_path)
    make_tree(tmp_path)
    return Path("data")


def elements(html: str | bytes) -> list[tuple[str, dict[str, str]]]:
    """Every start tag of an HTML text as (tag, attributes), as a browser would parse them."""
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {k: v or "" for k, v in attrs}))

        handle_startendtag = handle_starttag

    Collector(convert_charrefs=True).feed(html.decode() if isinstance(html, bytes) else html)
    return found


def active_content(html: str | bytes, allowed_scripts: tuple[str, ...] = ()) -> list[str]:
    """What in a page could run, style or frame: scripts, event handlers, style, javascript: URLs."""
    bad = []
    for tag, attrs in elements(html):
        if tag in ("iframe", "frame", "object", "embed", "svg", "math", "style", "base", "img"):
            bad.append(f"<{tag}>")
        if tag == "script" and not attrs.get("src", "").endswith(allowed_scripts or ("\0",)):
            bad.append(f"<script {attrs}>")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                bad.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    bad.append(f"<{tag} {name}={value!r}>")
    return bad


# One demo site and one Chromium for the browser tests in tests/web: built and launched once per run.


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """The demo region built for TODAY and served on 127.0.0.1 (pages must not change it)."""
    from browser_support import SiteServer

    out = tmp_path_factory.mktemp("demo") / "site"
    config = Config(data_dir=REPO_DIR / "data", out_dir=out, today=TODAY)  # the browser refuses < 600,000 iterations
    build(config)
    directory = validate_tree(load_tree(config.data_dir), TODAY)
    providers, physicians = make_entries(directory, config)
    entries = providers + physicians
    server = SiteServer(out)
    yield {
        "url": server.url,
        "out": out,
        "config": config,
        "directory": directory,
        "entries": entries,
        "paths": {e.record.id: e.path for e in entries},
        "titles": {e.record.name: e.record.id for e in entries},
    }
    server.close()


# Playwright's default is 30 s: one condition timed out at that on a loaded 2-core machine.
BROWSER_WAIT_MS = 120_000


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright (executable_path; never `playwright install`)."""
    from browser_support import ARGS, CHROMIUM, require_chromium
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=BROWSER_WAIT_MS)
        plain_context = instance.new_context

        def new_context(**options):
            # Every wait is on a condition; on a loaded 2-core machine a condition may take long to come.
            context = plain_context(**options)
            context.set_default_timeout(BROWSER_WAIT_MS)
            context.set_default_navigation_timeout(BROWSER_WAIT_MS)
            return context

        instance.new_context = new_context  # type: ignore[method-assign]
        yield instance
        instance.close()


def pytest_terminal_summary(terminalreporter) -> None:
    """Say which tools were missing, so a skipped test never goes unnoticed."""
    import tools

    if tools.MISSING:
        terminalreporter.section("missing tools: their tests were skipped")
        for tool, how in tools.MISSING.items():
            terminalreporter.write_line(f"{tool}: {how}")
