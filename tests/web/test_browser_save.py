"""What a phone downloads (issue 23): 「この端末に保存」 on a few hundred varied records stays within the bytes per
record that keep 10,000 + 3,000 under 40 MB, a record view within a few kB, and the saved copy reads offline."""

from __future__ import annotations

import datetime as dt
import sys
from urllib.parse import quote

import pytest
from browser_support import require_chromium
from tools import ROOT

from tsunagu.domain.config import DEMO_PASSWORD, Config
from tsunagu.pipeline.builder import build
from tsunagu.seal.reader import open_site

sys.path.insert(0, str(ROOT / "bench"))

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 22)
PROVIDERS, PHYSICIANS = 240, 60
# 40 MB for 13,000 records is 3,077 bytes a record; besides, what any site fetches whatever its size: the
# scripts and styles, Pagefind's runtime (JS and wasm, gzipped by the host), the dictionary, the root manifest,
# the smallest pack count's directories and Pagefind's smallest index (about 420 kB measured at 300 records).
PER_RECORD, FIXED = 40_000_000 / 13_000, 500_000
VIEW_LIMIT = 8 * 1024  # a record page opened by address after unlock: its entry (its pack's directory with it)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    require_chromium()
    from host import Host
    from synth import write_data

    root = tmp_path_factory.mktemp("save")
    data = write_data(root / "data", PROVIDERS, PHYSICIANS, varied=True)
    out = root / "site"
    build(Config(data_dir=data, out_dir=out, today=TODAY, workers=1))
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    records = sorted(p for p in open_site(files, DEMO_PASSWORD).paths() if p.startswith("r/"))
    host = Host(out)
    yield {"host": host, "records": records}
    host.close()


def _unlock(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#unlock-form:not([hidden])")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_url(url)
    page.wait_for_load_state("networkidle")  # the locator and the dictionary are read after the first page


def test_saving_fetches_what_keeps_a_prefecture_under_40_mb_and_then_reads_offline(region, browser):
    host, url = region["host"], region["host"].url
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _unlock(page, url)
    host.sent.clear()
    page.click("[data-save-offline]")
    page.locator("[data-save-status]").filter(has_text="この端末に保存しました").wait_for(timeout=120_000)
    saved = host.bytes_sent()
    records = len(region["records"])
    assert records == PROVIDERS + PHYSICIANS
    assert saved <= records * PER_RECORD + FIXED, f"{saved:,} bytes saved for {records} records"
    context.set_offline(True)
    for path in (region["records"][-1], "providers/1/", "status/", "physicians/"):  # none opened before
        page.goto(url + path)
        assert "オフラインです" not in page.inner_text("h1") and "改ざん" not in page.inner_text("body"), path
        assert page.locator("[data-offline]").is_visible()
    page.goto(url + "search/?q=" + quote("デイ"))
    page.locator("#search-results .card-title").first.wait_for(timeout=30_000)
    context.set_offline(False)
    assert errors == []
    context.close()


def test_a_record_view_fetches_a_few_kilobytes(region, browser):
    host, url = region["host"], region["host"].url
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, url)
    host.sent.clear()
    page.goto(url + region["records"][len(region["records"]) // 2])
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h1")
    assert 0 < host.bytes_sent(icons=False) <= VIEW_LIMIT, host.sent
    context.close()
