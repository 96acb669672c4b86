"""What makes a page view and a search fast in Chromium: no round trip wasted, and never a stale page."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_support import build_at_epoch, require_chromium, search_results, until
from conftest import read_tree
from tools import ROOT

from tsunagu.cli.serve import _Handler
from tsunagu.domain.config import DEMO_PASSWORD
from tsunagu.seal import locator, wire
from tsunagu.seal.packs import file_name, slot_of
from tsunagu.seal.reader import open_site

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 22)
NAME = "わかば地域密着デイ"


class Host:
    """A static host that logs when each request arrived and when its answer went out; keys.json and packs can
    be slow."""

    def __init__(self, folder: Path, keys_delay: float = 0.0):
        host = self
        self.keys_delay, self.pack_delay = keys_delay, 0.0
        self.log: list[list] = []  # [path, arrived, answered, range] of every request, in order of arrival

        class Handler(_Handler):
            def do_GET(self) -> None:
                row = [self.path, time.monotonic(), float("inf"), self.headers.get("Range")]
                host.log.append(row)
                if self.path.startswith("/keys.json"):
                    time.sleep(host.keys_delay)
                if self.path.startswith("/p/"):
                    time.sleep(host.pack_delay)
                super().do_GET()
                row[2] = time.monotonic()

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def paths(self) -> list[str]:
        return [row[0] for row in self.log]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def region(tmp_path):
    require_chromium()
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    build_at_epoch(data, tmp_path / "site", 1_780_000_000)
    host = Host(tmp_path / "site")
    yield {"data": data, "site": tmp_path / "site", "host": host}
    host.close()


def _record_of(site: Path, name: str) -> str:
    reader = open_site(read_tree(site), DEMO_PASSWORD)
    return next(p for p in sorted(reader.paths()) if p.startswith("r/") and name.encode() in reader.read(p))


def _unlock(page, url: str) -> None:
    page.goto(url)
    page.wait_for_url(re.compile(r".*/unlock/.*"))
    page.wait_for_selector("#unlock-form:not([hidden])")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_url(url)


def test_a_page_is_fetched_while_keys_json_is_checked_and_a_new_build_still_wins(region, browser):
    host, url = region["host"], region["host"].url
    record = _record_of(region["site"], NAME)
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, url)
    page.goto(url + "status/")
    host.keys_delay, host.log[:] = 1.0, []
    page.goto(url + record)
    assert NAME in page.inner_text("h1")
    keys = next((a, b) for p, a, b, _r in host.log if p.startswith("/keys.json"))
    packs = [a for p, a, _b, _r in host.log if p.startswith("/p/")]
    # The record's pack was asked for while keys.json was still on its way: one round trip, not two.
    assert packs and min(packs) < keys[1] - 0.5
    # Scripts and styles of the build just checked come from the service worker's cache.
    # (Chromium fetches favicons itself, around the service worker: not counted.)
    assert not [p for p in host.paths() if p.startswith("/assets/") and p.endswith((".js", ".css"))]
    host.keys_delay = 0.0
    # A data update: the page read from the build in memory is dropped, the new build's is shown,
    # and the scripts and styles are fetched again.
    provider = region["data"] / "providers" / "chiiki-day-wakaba.yaml"
    provider.write_text(
        provider.read_text(encoding="utf-8").replace(f"name: {NAME}", "name: わかば新デイ", 1), encoding="utf-8"
    )
    build_at_epoch(region["data"], region["site"], 1_780_000_500)
    host.log[:] = []
    page.goto(url + _record_of(region["site"], "わかば新デイ"))
    assert "わかば新デイ" in page.inner_text("h1")
    assert "/assets/style.css" in host.paths()
    page.goto(url + record)  # the old record's address (its page name is keyed, so it may be the same)
    assert NAME not in page.inner_text("body")
    context.close()


def test_typing_searches_at_once_the_latest_query_wins_and_composing_waits(region, browser):
    url = region["host"].url
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    _unlock(page, url + "search/")
    page.locator("#search-status").filter(has_text="キーワード").wait_for()
    # Pagefind's runtime and index metadata load while nobody has typed yet.
    until(page, lambda: any(".pf_meta" in u for u in requests))  # the warm-up that never comes is the failure
    assert any("/pagefind/pagefind-entry.json" in u for u in requests) and any(".pf_meta" in u for u in requests)
    # A keystroke searches at once (no typing pause); an input method's unfinished text does not.
    said = page.evaluate("""() => {
      const input = document.getElementById("search-q"), status = document.getElementById("search-status");
      const seen = [];
      input.value = "でい";
      input.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true }));
      seen.push(status.textContent);
      input.value = "デイ";
      input.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true }));
      seen.push(status.textContent);
      input.value = "さくら";
      input.dispatchEvent(new InputEvent("input", { bubbles: true }));
      input.value = "訪問看護";
      input.dispatchEvent(new InputEvent("input", { bubbles: true }));
      seen.push(status.textContent);
      return seen;
    }""")
    assert said == ["キーワードを入力するか、絞り込みを選んでください。", "検索しています…", "検索しています…"]
    page.locator("#search-status").filter(has_text="「訪問看護」").wait_for()
    page.wait_for_timeout(1500)  # the overtaken queries never overwrite the latest one
    assert "「訪問看護」" in page.inner_text("#search-status")
    assert page.evaluate("new URLSearchParams(location.search).get('q')") == "訪問看護"
    shown = page.locator("#search-results .card-title").all_inner_texts()
    everything, _status = search_results(page, url + "search/?q=" + quote("訪問看護"))
    assert shown and shown == everything[:20]
    assert not [u for u in requests if not u.startswith((url, "data:", "blob:"))]
    context.close()


def test_records_on_screen_have_their_pack_directories_fetched_ahead(region, browser):
    host, url = region["host"], region["host"].url
    reader = open_site(read_tree(region["site"]), DEMO_PASSWORD)
    pack = lambda path: int.from_bytes(slot_of(reader.group, path, 0)[:4], "big") % reader.root["packs"]  # noqa: E731
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, url)
    host.log[:] = []
    page.goto(url + "providers/1/")
    links = page.evaluate("""() => [...document.querySelectorAll("a[href]")].filter((a) => {
      const box = a.getBoundingClientRect();
      return a.pathname.startsWith("/r/") && box.top >= 0 && box.bottom <= innerHeight; }).map((a) => a.pathname.slice(1))""")
    # One whose pack no page seen so far needed: without the fetch ahead, opening it costs its directory too.
    target = next(p for p in links if pack(p) != pack("providers/1/index.html"))
    # Until the directories of the packs on screen have come (fetched ahead), and nothing more for a while.
    wanted = {"/" + file_name(reader.root["dirs"][pack(p)][0]) for p in links}
    until(page, lambda: wanted <= set(host.paths()))
    for _ in range(100):
        before = len(host.log)
        page.wait_for_timeout(400)
        if len(host.log) == before:
            break
    locators = {"/" + file_name(d[0]) for d in reader.root["loc"]}  # fetched once after unlock, whenever it ends
    ahead = [p for p in host.paths() if p.startswith("/p/") and p not in locators]
    # The list's own entry, the parts of its rows' store (every part: a part maps to no area), the dictionary
    # (read once after the first page), a directory per pack on screen.
    store_parts = reader.part(f"{wire.ROWS_DIR}cards", 0)[0]
    assert len(ahead) <= len({pack(p) for p in links}) + 2 + store_parts
    host.log[:] = []
    page.click(f"a[href$='{target.split('/')[-1]}']")
    page.wait_for_url(url + target)
    page.wait_for_load_state("load")
    assert len([p for p in host.paths() if p.startswith("/p/")]) == 1  # its entry; the directory was at hand
    context.close()


def test_a_record_opened_by_address_fetches_its_pack_directory_and_its_entry_at_once(region, browser):
    host, url = region["host"], region["host"].url
    reader = open_site(read_tree(region["site"]), DEMO_PASSWORD)
    locators = {"/" + file_name(d[0]) for d in reader.root["loc"]}
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, url)
    # The locator is fetched in the background once the first page is shown.
    until(page, lambda: locators <= {p for p, _a, done, _r in host.log if done < float("inf")})
    page.wait_for_timeout(300)
    seen = set(host.paths())
    # A record whose pack no page so far needed: its directory is not at hand.
    record = next(p for p in sorted(reader.paths()) if p.startswith("r/") and "/" + reader.locate(p, 0)[0] not in seen)
    pack = "/" + reader.locate(record, 0)[0]
    host.pack_delay, host.log[:] = 0.8, []
    page.goto(url + record)
    assert page.inner_text("h1") and "改ざん" not in page.inner_text("body")
    fetched = [(a, b) for p, a, b, _r in host.log if p == pack]
    # The directory and the entry: asked for together, not the entry once the directory had come.
    assert len(fetched) == 2, host.log
    assert max(a for a, _b in fetched) < min(b for _a, b in fetched) - 0.5
    context.close()


def test_a_search_fetches_fragments_not_the_record_pages_the_locator_knows(region, browser):
    host, site = region["host"], region["site"]
    reader = open_site(read_tree(site), DEMO_PASSWORD)
    pages = {
        (f"/{name}", f"bytes={offset}-{offset + length - 1}")
        for name, offset, length, _parts, _digest in (reader.locate(p, 0) for p in reader.paths() if p.startswith("r/"))
    }
    locator = {f"/{file_name(digest)}" for digest, *_rest in reader.root["loc"]}
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, host.url + "search/")
    page.locator("#search-status").filter(has_text="キーワード").wait_for()
    until(page, lambda: locator <= set(host.paths()))  # the locator is read in the background after the first page
    assert locator and locator <= set(host.paths())
    page.wait_for_timeout(500)
    before = len(host.log)
    page.fill("#search-q", "デイ")
    page.locator("#search-status").filter(has_text="「デイ」").wait_for()
    page.wait_for_timeout(500)
    fetched = {(row[0], row[3]) for row in host.log[before:] if row[0].startswith("/p/")}
    assert fetched, "the search read its fragments from the packs"
    # A fragment shares its record page's pack slot: the locator must not send the page along with it.
    assert not fetched & pages
    # Each fragment by its pack's fragment list, not its directory (tens of kB at 40,000 records).
    directories = {(f"/{file_name(d[0])}", f"bytes={d[1]}-{d[1] + d[2] - 1}") for d in reader.root["dirs"] if d}
    lists = {
        (f"/{file_name(d[0])}", f"bytes={f[1]}-{f[1] + f[2] - 1}")
        for d, f in zip(reader.root["dirs"], reader.root["frg"], strict=True)
        if f
    }
    assert fetched & lists and not fetched & directories
    context.close()


def test_a_changed_search_fragment_is_refused_by_the_service_worker(region, browser):
    site, host = region["site"], region["host"]
    files = read_tree(site)
    reader = open_site(files, DEMO_PASSWORD)
    path, other = sorted(p for p in reader.paths() if p.endswith(".pf_fragment"))[:2]
    slot = slot_of(reader.group, path, 0)
    number = int.from_bytes(slot[:4], "big") % reader.root["packs"]
    offset, length, _digest = reader.fragments(number)[slot[locator.TAG]]
    name = file_name(reader.root["dirs"][number][0])
    blob = bytearray(files[name])
    blob[offset + length // 2] ^= 1
    (site / name).write_bytes(bytes(blob))
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, host.url + "search/")
    page.locator("#search-status").filter(has_text="キーワード").wait_for()
    fetch = "async (p) => (await fetch(p)).status"
    assert page.evaluate(fetch, "../" + path) == 500, "a fragment that is not what its list says"
    assert page.evaluate(fetch, "../" + other) == 200
    context.close()
