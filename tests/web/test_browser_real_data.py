"""The longest names of the real open data (eastern Japan, 32,068 rows) on a 360 px phone: no page scrolls sideways."""

from __future__ import annotations

import csv
import datetime as dt
from urllib.parse import quote

import pytest
from browser_support import SEARCH_DONE  # noqa: E402
from click.testing import CliRunner
from samples import mhlw_east

from tsunagu.cli import cli
from tsunagu.domain.config import DEMO_PASSWORD, Config
from tsunagu.importers.mhlw.read import read_csv

pytestmark = pytest.mark.browser
IMPORTED = dt.date(2026, 1, 10)


def _extremes(rows):
    """The rows of the offices with the longest name, the longest service name and the longest municipality name."""
    longest_name = max(rows, key=lambda r: len(r.cells["事業所名"]))
    longest_service = max(rows, key=lambda r: (len(r.cells["サービスの種類"]), len(r.cells["事業所名"])))
    longest_city = max(rows, key=lambda r: (len(r.cells["市区町村名"]), len(r.cells["事業所名"])))
    numbers = {r.cells["事業所番号"] for r in (longest_name, longest_service, longest_city)}
    return [r for r in rows if r.cells["事業所番号"] in numbers], longest_name.cells["事業所名"]


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    from browser_support import SiteServer

    east = mhlw_east(tmp_path_factory)
    rows = [r for p in sorted(east.glob("*.csv")) for r in read_csv(p)]
    picked, name = _extremes(rows)
    root = tmp_path_factory.mktemp("longest")
    csvs = root / "csv"
    csvs.mkdir()
    header = list(rows[0].cells)
    for file in sorted({r.file for r in picked}):
        with open(csvs / file, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows([r.cells[c] for c in header] for r in picked if r.file == file)
    wheel = root / "tsunagu-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"only its hash is pinned here")
    codes = sorted({r.cells["都道府県コード又は市町村コード"] for r in picked})
    args = [
        "init",
        str(root / "region"),
        "--mhlw",
        str(csvs),
        "--title",
        "つなぐ 東日本の長い名前",
        "--admin",
        "x",
        "--tsunagu-wheel",
        str(wheel),
        "--site-url",
        "https://care.example.jp/",
        "--today",
        IMPORTED.isoformat(),
        "--non-interactive",
    ]
    result = CliRunner().invoke(cli, [*args, *(a for c in codes for a in ("--city", c))])
    assert result.exit_code == 0, result.output
    from tsunagu.pipeline.builder import build

    out = root / "site"
    build(Config(data_dir=root / "region" / "data", out_dir=out, today=IMPORTED))
    server = SiteServer(out)
    yield {"url": server.url, "name": name, "areas": len(codes)}
    server.close()


def test_no_page_scrolls_sideways_at_360px_with_the_longest_real_names(region, browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(region["url"] + "unlock/")
    page.wait_for_selector("#unlock-form:not([hidden])")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_url(region["url"])
    paths = [
        "",
        "providers/",
        *(f"providers/{i}/" for i in range(1, region["areas"] + 1)),
        "physicians/",
        "status/",
        "changes/",
        "search/",
        "search/?q=" + quote("イムス"),
        "search/?q=" + quote("カーサ"),
    ]
    for i in range(1, region["areas"] + 1):
        page.goto(region["url"] + f"providers/{i}/")
        paths += page.locator("main a[href*='r/']").evaluate_all("as => as.map(a => new URL(a.href).pathname.slice(1))")
    wide = {}
    for path in paths:
        page.goto(region["url"] + path)
        page.wait_for_load_state("load")
        if "q=" in path:
            page.locator("#search-status").filter(has_text=SEARCH_DONE).wait_for()
            assert "見つかりました" in page.inner_text("#search-status"), path
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if widths[0] > widths[1]:
            wide[path] = (
                widths[0],
                page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 362)
              .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > 362)).slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + e.textContent.slice(0, 40))"""),
            )
    context.close()
    assert len(paths) >= 12
    assert wide == {}
