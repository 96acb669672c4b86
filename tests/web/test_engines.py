"""The encrypted demo site in Firefox ESR and WebKitGTK: unlock, records, search, logout, nothing off-origin."""

from __future__ import annotations

from urllib.parse import quote

import engines
import pytest
import yaml
from tools import ROOT

from tsunagu.domain.config import DEMO_PASSWORD

pytestmark = pytest.mark.browser
QUERIES = {
    row["q"]: row for row in yaml.safe_load((ROOT / "tests" / "search_queries.yaml").read_text(encoding="utf-8"))
}
PLANTED = "http://tsunagu-planted.invalid/pixel.png"  # .invalid: never resolvable, whatever the proxy does


@pytest.fixture(scope="module", params=engines.ENGINES)
def engine(request):
    """One browser session per engine for the whole module, its proxy recording every off-origin request."""
    engines.require(request.param)
    proxy = engines.Proxy()
    with engines.LAUNCH[request.param](proxy) as driver:
        print(f"\n{driver.version}")
        yield driver, proxy
    proxy.close()


def _off_origin(driver, base: str) -> list[str]:
    """The page's own URL and every resource it loaded (Resource Timing) that is not under base."""
    names = driver.js("return [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)];")
    return [u for u in names if not u.startswith(base) and not u.startswith(("data:", "blob:"))]


def _titles(driver) -> list[str]:
    return driver.js("return [...document.querySelectorAll('#search-results .card-title')].map((a) => a.textContent);")


def _unlock(d, password: str) -> None:
    d.wait(
        lambda: d.js("const f = document.getElementById('unlock-form'); return f && !f.hidden;"),
        message="the unlock form",
    )
    field = d.find("#password")
    field.clear()
    field.send_keys(password)
    d.find("#unlock-form button[type=submit]").click()


def test_unlock_records_search_logout(demo_site, engine):
    d, proxy = engine
    base, paths, ids = demo_site["url"], demo_site["paths"], demo_site["titles"]
    sakura = base + paths["day-sakura"]
    foreign: list[str] = []
    errors = d.errors()

    d.goto(sakura)  # a deep link before unlocking goes to the unlock page, and comes back after
    d.wait_url(lambda u: u.startswith(base + "unlock/?next="), "the unlock page")
    _unlock(d, "wrong password here")
    d.wait_text("#unlock-message", "パスワードが違います")
    _unlock(d, DEMO_PASSWORD)
    d.wait_url(lambda u: u == sakura, "the record asked for before unlocking")
    d.wait_text("main", "デイサービスさくら", "入浴は午前のみ", "029-000-1011")
    assert d.js("const c = navigator.serviceWorker.controller; return c && c.scriptURL;") == base + "sw.js"
    foreign += _off_origin(d, base)

    d.find('nav a[href$="physicians/"]').click()  # a record reached by navigation
    d.wait_url(lambda u: u == base + "physicians/", "the physicians list")
    d.find(f'a.card-title[href$="{paths["yamada-naika"]}"]').click()
    d.wait_url(lambda u: u == base + paths["yamada-naika"], "a physician's page")
    d.wait_text("main", "やまだ内科クリニック", "看護師長 経由")
    foreign += _off_origin(d, base)
    d.back()
    d.wait_text("h1", "医師への連絡方法")

    d.goto(base + paths["gh-kukizaki"])  # a deep link typed or bookmarked after unlocking
    d.wait_text("h1", "グループホーム くきざき")
    d.reload()
    d.wait_text("h1", "グループホーム くきざき")
    d.find("[data-save-offline]").click()  # every pack into the service worker's cache, over a MessageChannel
    d.wait_text("[data-save-status]", "この端末に保存しました")
    foreign += _off_origin(d, base)

    d.goto(base + "search/")  # typed into the form: Pagefind's wasm in a worker, its files decrypted by sw.js
    d.wait_text("#search-status", "キーワードを入力")
    d.find("#search-q").send_keys("デイ")
    d.wait_text("#search-status", "件見つかりました（「デイ」）")
    found = [ids[t] for t in _titles(d)]  # every listed title is a record; the table asks recall, not precision
    assert set(QUERIES["デイ"]["expect"]) <= set(found) and len(found) == len(set(found))
    foreign += _off_origin(d, base)
    d.goto(base + "search/?kind=" + quote("医師") + "&home_visits=1")  # filters alone, no query
    d.wait_text("#search-status", "9 件見つかりました")
    assert len(_titles(d)) == 9 and d.js("return document.querySelector('[name=home_visits]').checked;")
    d.goto(base + "search/?q=" + quote("029-000-1011"))  # a whole phone number: its record, alone
    d.wait_text("#search-status", "1 件見つかりました")
    assert [ids[t] for t in _titles(d)] == QUERIES["029-000-1011"]["expect"] == ["day-sakura"]
    d.find("#search-results .card-title").click()
    d.wait_url(lambda u: u == sakura, "the record from its search result")
    d.wait_text("main", "入浴は午前のみ")
    foreign += _off_origin(d, base)

    d.find("[data-logout]").click()
    d.wait_url(lambda u: u == base + "unlock/?logout=1", "the unlock page after logout")
    d.wait_text("#unlock-message", "ログアウトしました")
    foreign += _off_origin(d, base)
    # The page's own fetch goes through the service worker, which no longer holds a key.
    fetched = d.js(
        "return fetch(arguments[0]).then(async (r) => r.url + ' ' + r.status + ' ' + await r.text());", sakura
    )
    assert fetched.startswith(base + "unlock/?next=") and "入浴は午前のみ" not in fetched
    d.goto(sakura)
    d.wait_url(lambda u: u.startswith(base + "unlock/?next="), "the unlock page for a protected page after logout")
    assert "入浴は午前のみ" not in d.js("return document.documentElement.outerHTML;")

    assert foreign == [], f"{d.name}: the page loaded resources off the origin"
    assert proxy.seen == [], f"{d.name}: requests left 127.0.0.1: {proxy.seen}"
    assert d.errors() == errors, f"{d.name}: uncaught script errors"


def test_off_origin_requests_are_caught(demo_site, engine):
    """The checks above can fail: an off-origin image shows up in both request checks (planted in a blank page, as
    the site's pages forbid off-origin images with their Content-Security-Policy, which WebKit keeps for
    about:blank), and an uncaught error in Firefox's log."""
    d, proxy = engine
    d.goto(proxy.blank)
    d.js("const img = document.createElement('img'); img.src = arguments[0]; document.body.append(img);", PLANTED)
    d.wait(lambda: f"GET {PLANTED}" in proxy.seen, message="the proxy to see the planted image")
    d.wait(lambda: PLANTED in _off_origin(d, demo_site["url"]), message="Resource Timing to list the planted image")
    proxy.seen.clear()
    d.js(
        "const s = document.createElement('script'); s.textContent = 'throw new Error(\"tsunagu-planted\")';"
        "document.body.append(s);"
    )
    if d.name == "firefox":  # WebKitGTK's MiniBrowser keeps its console to itself under WebDriver
        d.wait(lambda: any("tsunagu-planted" in e for e in d.errors()), message="gecko.log to report the error")
