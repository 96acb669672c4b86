"""The encrypted demo site in a real browser: unlock, navigate, search, filters, logout, password changes."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urlparse

import pytest
from browser_support import SiteServer, require_chromium, search_results
from tools import ROOT

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.config import DEMO_PASSWORD, Config
from tsunagu.pipeline.builder import build
from tsunagu.render.entries import make_entries

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    out = tmp_path_factory.mktemp("browser") / "site"
    config = Config(data_dir=ROOT / "data", out_dir=out, today=TODAY)
    build(config)
    directory = validate_tree(load_tree(config.data_dir), TODAY)
    providers, physicians = make_entries(directory, config)
    server = SiteServer(out)
    yield {
        "url": server.url,
        "out": out,
        "config": config,
        "titles": {e.record.name: e.record.id for e in providers + physicians},
        "paths": {e.record.id: e.path for e in providers + physicians},
    }
    server.close()


class Session:
    """One browser context with every request recorded."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def unlock(self, password: str = DEMO_PASSWORD, remember: bool = False) -> None:
        page = self.page
        page.wait_for_url(re.compile(r".*/unlock/.*"))
        page.wait_for_selector("#unlock-form:not([hidden])")
        page.fill("#password", password)
        if remember:
            page.check("#remember")
        page.click("#unlock-form button[type=submit]")

    def foreign_requests(self) -> list[str]:
        return [
            u for u in self.requests if urlparse(u).hostname != "127.0.0.1" and not u.startswith(("data:", "blob:"))
        ]

    def close(self) -> None:
        self.context.close()


def test_unlock_navigate_reload_logout_without_leaving_the_origin(site, browser):
    s = Session(browser, site["url"])
    page = s.page
    provider_path = site["paths"]["day-sakura"]
    page.goto(site["url"] + provider_path)
    page.wait_for_url(re.compile(r".*/unlock/\?next=.*"))
    assert "デモ" in page.inner_text("body")

    s.unlock("wrong password here")
    page.wait_for_selector("#unlock-message:has-text('パスワードが違います')")
    assert "/unlock/" in page.url
    page.goto(site["url"])  # still locked
    page.wait_for_url(re.compile(r".*/unlock/.*"))

    s.unlock()
    page.wait_for_url(site["url"])
    assert page.locator("h1").inner_text() == "さくら市の受入状況"
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator(".demo-banner").count() == 1

    page.click("nav >> text=事業所")
    page.wait_for_url(site["url"] + "providers/")
    page.click("text=北部")
    page.click("text=デイサービスさくら")
    page.wait_for_url(site["url"] + provider_path)
    body = page.inner_text("main")
    assert "入浴は午前のみ" in body and "受入可" in body and "029-000-1011" in body

    page.click("nav >> text=医師")
    page.click("text=山田 太郎")
    page.wait_for_url(site["url"] + site["paths"]["yamada-naika"])
    assert "やまだ内科クリニック" in page.inner_text("main")
    assert page.locator("table.weekly").count() == 1
    page.go_back()
    page.wait_for_url(site["url"] + "physicians/")
    assert "医師への連絡方法" in page.inner_text("h1")

    page.reload()
    assert "医師への連絡方法" in page.inner_text("h1")
    page.goto(site["url"] + site["paths"]["gh-kukizaki"])  # a deep URL typed or bookmarked
    assert "グループホーム くきざき" in page.inner_text("h1")

    page.click("[data-logout]")
    page.wait_for_url(re.compile(r".*/unlock/\?logout=1"))
    page.goto(site["url"] + provider_path)
    page.wait_for_url(re.compile(r".*/unlock/.*"))
    assert "入浴は午前のみ" not in page.content()

    assert s.foreign_requests() == [], "requests left 127.0.0.1"
    assert any(u.endswith(".bin") and "/p/" in u for u in s.requests)
    assert s.errors == []
    s.close()


def _search_titles(page, url: str) -> list[str]:
    return search_results(page, url)[0]


def test_search_filters_narrow_and_combine(site, browser):
    s = Session(browser, site["url"])
    s.page.goto(site["url"] + "search/")
    s.unlock()
    s.page.wait_for_url(re.compile(r".*/search/.*"))
    base = site["url"] + "search/?"
    assert _search_titles(s.page, base) == []  # nothing asked: a hint, no download of every record
    assert s.page.locator("#search-all").is_visible()
    s.page.click("#search-all")
    s.page.locator("#search-status").filter(has_text="見つかりました").wait_for()
    everything = s.page.locator("#search-results .card-title")
    assert everything.count() == 20 and s.page.locator("#search-more").is_visible()
    providers = _search_titles(s.page, base + "kind=" + quote("事業所"))  # browse mode: filters, no query
    physicians = _search_titles(s.page, base + "kind=" + quote("医師"))
    assert len(physicians) == 18 and len(providers) + len(physicians) == len(site["titles"])
    home = _search_titles(s.page, base + "kind=" + quote("医師") + "&home_visits=1")
    assert len(home) == 9 and set(home) < set(physicians)
    csd = _search_titles(s.page, base + "home_visits=1&care_support_doctor=1")
    assert {site["titles"][t] for t in csd} == {"nakamura-zaitaku", "takahashi-oho", "yamada-naika"}
    north_day = _search_titles(s.page, base + "area=" + quote("北部") + "&service=" + quote("通所介護"))
    assert [site["titles"][t] for t in north_day] == ["day-sakura"]
    accepting = _search_titles(s.page, base + "q=" + quote("訪問看護") + "&post_infection=" + quote("受入可"))
    assert {site["titles"][t] for t in accepting} == {"houkan-oho", "houkan-tsukubadai", "houkan-wakaba"}
    # The form shows the filters read from the URL.
    assert s.page.input_value("select[name=post_infection]") == "受入可"
    assert s.page.input_value("#search-q") == "訪問看護"
    s.close()


def test_data_update_keeps_session_and_password_change_locks_out(site, browser, tmp_path, monkeypatch):
    out = tmp_path / "site"
    data = ROOT / "data"
    first = {"caremanagers": "wildcard animator drilling evil essay error"}
    # Each deploy is a later commit (a deploy refuses an epoch that does not increase, and a device
    # refuses the epoch it has seen with another root): a password change is committed too.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    build(Config(data_dir=data, out_dir=out, today=TODAY, passwords=first))
    server = SiteServer(out)
    try:
        s = Session(browser, server.url)
        s.page.goto(server.url)
        s.unlock(first["caremanagers"])
        s.page.wait_for_url(server.url)
        # A data update: a new build with the same passwords (new content key) keeps the session.
        build(Config(data_dir=data, out_dir=out, today=TODAY, passwords=first))
        s.page.goto(server.url + "physicians/")
        assert "医師への連絡方法" in s.page.inner_text("h1")
        # The password is changed: the next build locks its old holders out.
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000600")
        build(
            Config(
                data_dir=data,
                out_dir=out,
                today=TODAY,
                passwords={"caremanagers": "borax catering joyfully stitch gaining amendment"},
            )
        )
        s.page.goto(server.url + "providers/")
        s.page.wait_for_url(re.compile(r".*/unlock/.*"))
        s.unlock(first["caremanagers"])
        s.page.wait_for_selector("#unlock-message:has-text('パスワードが違います')")
        s.unlock("borax catering joyfully stitch gaining amendment")
        s.page.wait_for_url(server.url + "providers/")
        assert s.foreign_requests() == []
        s.close()
    finally:
        server.close()


def test_without_service_workers_the_unlock_page_says_so(site, browser):
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(site["url"] + "providers/")
    page.wait_for_url(re.compile(r".*/unlock/.*"))
    page.locator("#unsupported").wait_for()
    assert "このブラウザでは閲覧できません" in page.inner_text("#unsupported")
    assert page.locator("#unlock-form").is_hidden()
    context.close()


def test_pages_seen_once_open_offline(site, browser):
    s = Session(browser, site["url"])
    s.page.goto(site["url"] + "status/")
    s.unlock()
    s.page.wait_for_url(site["url"] + "status/")
    s.page.goto(site["url"] + site["paths"]["day-sakura"])
    assert "デイサービスさくら" in s.page.inner_text("h1")
    s.context.set_offline(True)
    s.page.goto(site["url"] + "status/")  # seen before: its ciphertext is kept by the service worker
    assert "受入状況一覧" in s.page.inner_text("h1")
    s.page.goto(site["url"] + site["paths"]["gh-kukizaki"])  # never seen: says so, in Japanese
    assert "オフラインです" in s.page.inner_text("h1")
    s.context.set_offline(False)
    s.close()


def test_save_on_this_device_then_everything_opens_and_searches_offline(site, browser):
    s = Session(browser, site["url"])
    s.page.goto(site["url"])
    s.unlock()
    s.page.wait_for_url(site["url"])
    assert s.page.locator("[data-offline]").is_hidden()
    s.page.click("[data-save-offline]")
    s.page.locator("[data-save-status]").filter(has_text="この端末に保存しました").wait_for(timeout=60_000)
    s.context.set_offline(True)
    s.page.goto(site["url"] + site["paths"]["gh-kukizaki"])  # never opened: saved with the rest
    assert "オフラインです" not in s.page.inner_text("h1")
    assert s.page.locator("[data-offline]").is_visible()
    assert "オフライン表示中・最終更新" in s.page.inner_text("[data-offline]")
    assert s.page.evaluate("getComputedStyle(document.body).fontFamily") != ""  # the stylesheet came too
    failed = []
    s.page.on("requestfailed", lambda r: failed.append(r.url))
    s.page.on("console", lambda m: failed.append("console: " + m.text))
    s.page.goto(site["url"] + "search/?q=" + quote("訪問看護"))
    try:
        s.page.locator("#search-results .card-title").first.wait_for(
            timeout=15_000
        )  # index chunks never fetched before
    except Exception as exc:  # say what the page saw, not just that it timed out
        raise AssertionError(f"{s.page.inner_text('#search-status')} {failed} {s.errors}") from exc
    s.context.set_offline(False)
    assert s.foreign_requests() == [] and s.errors == []
    s.close()
