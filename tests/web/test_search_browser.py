"""Search through /search/ in Chromium on two regions: recall, precision, exact matches first, filters."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urlencode

import pytest
import yaml
from browser_support import SEARCH_DONE, SiteServer, require_chromium, search_results
from test_browser import Session
from tools import ROOT

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.config import Config
from tsunagu.pipeline.builder import build
from tsunagu.search.searchdoc import search_context

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 11, 22)
REGIONS = {"demo": ROOT / "data", "second": ROOT / "tests" / "fixtures" / "region2" / "data"}
TABLES = {
    "demo": ROOT / "tests" / "search_queries.yaml",
    "second": ROOT / "tests" / "fixtures" / "region2" / "search_queries.yaml",
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    require_chromium()
    out = {}
    for name, data in REGIONS.items():
        folder = tmp_path_factory.mktemp(name) / "site"
        build(Config(data_dir=data, out_dir=folder, today=TODAY))  # the browser refuses < 600,000 iterations
        directory = validate_tree(load_tree(data), TODAY)
        records = [*directory.providers, *directory.physicians]
        server = SiteServer(folder)
        out[name] = {
            "url": server.url,
            "server": server,
            "titles": {r.name: r.id for r in records},
            "places": search_context(directory.site, records).places,
        }
    yield out
    for site in out.values():
        site["server"].close()


def _open(browser, site) -> Session:
    s = Session(browser, site["url"])
    s.page.goto(site["url"] + "search/")
    s.unlock()
    s.page.wait_for_url(re.compile(r".*/search/.*"))
    s.page.locator("#search-status").filter(has_text=SEARCH_DONE).wait_for()
    return s


def browser_rows(rows: list[dict], every: int = 5) -> list[dict]:
    """The rows the default run drives through the page: every ranking and place-note row (only the page
    orders and words them), and every fifth of the rest. tests/search checks every row in Python; the whole
    table runs here too under -m scale."""
    plain = [row for row in rows if "first" not in row and not row.get("places_only")]
    return [row for row in rows if row not in plain or plain.index(row) % every == 0]


@pytest.mark.parametrize(
    "region, whole",
    [
        *(pytest.param(name, False, id=name) for name in REGIONS),
        *(pytest.param(name, True, marks=pytest.mark.scale, id=f"{name}-whole") for name in REGIONS),
    ],
)
def test_query_table_through_the_search_page(sites, browser, region, whole):
    site = sites[region]
    queries = yaml.safe_load(TABLES[region].read_text(encoding="utf-8"))
    queries = queries if whole else browser_rows(queries)
    s = _open(browser, site)
    misses, firsts, counts, listed, relevant, expected = [], [], [], 0, 0, 0
    for row in queries:
        titles, status = search_results(s.page, site["url"] + "search/?q=" + quote(row["q"]))
        ids = [site["titles"][t] for t in titles]
        want = set(row["expect"])
        if want - set(ids):
            misses.append(f"{row['q']!r}: missing {sorted(want - set(ids))}")
        if "first" in row and ids[:1] != [row["first"]]:
            firsts.append(f"{row['q']!r}: first is {ids[:1]}, expected {row['first']}")
        if ids and f"{len(ids)} 件見つかりました" not in status:
            counts.append(f"{row['q']!r}: {len(ids)} listed, status {status!r}")
        if row.get("places_only") and "検索の言葉になりません" not in status:
            counts.append(f"{row['q']!r}: no place-name note in {status!r}")
        listed, relevant, expected = listed + len(ids), relevant + len(want & set(ids)), expected + len(want)
    ranked = sum("first" in row for row in queries)
    precision = relevant / max(listed, 1)
    print(
        f"\nbrowser search ({region}): {len(queries)} queries, recall {relevant / max(expected, 1):.2f}, "
        f"precision {precision:.2f}, rank-1 {(ranked - len(firsts)) / max(ranked, 1):.2f} over {ranked}"
    )
    assert not misses, "\n".join(misses)
    assert not firsts, "\n".join(firsts)
    assert not counts, "\n".join(counts)
    assert precision >= 0.9
    assert s.foreign_requests() == [] and s.errors == []
    s.close()


def test_accepting_or_conditional_is_one_choice(sites, browser):
    site = sites["demo"]
    s = _open(browser, site)
    base = site["url"] + "search/?q=" + quote("デイ") + "&new_clients="
    either, _ = search_results(s.page, base + quote("受入可または条件付き"))
    assert s.page.input_value("select[name=new_clients]") == "受入可または条件付き"  # read back from the URL
    accepting, _ = search_results(s.page, base + quote("受入可"))
    conditional, _ = search_results(s.page, base + quote("条件付きで可"))
    assert accepting and conditional
    assert sorted(either) == sorted(accepting + conditional)
    s.close()


def test_contact_now_keeps_the_physicians_inside_a_window_now(sites, browser):
    site = sites["demo"]
    directory = validate_tree(load_tree(REGIONS["demo"]), TODAY)
    # Thursday 2026-11-26 13:30 in Japan (04:30 UTC), not a holiday.
    expected = {
        p.name
        for p in directory.physicians
        if any("thu" in w.days and w.time.split("-")[0] <= "13:30" < w.time.split("-")[1] for w in p.contact.windows)
    }
    assert expected and len(expected) < len(directory.physicians)
    # Unlocked on the real clock: the service worker, whose clock no test can set, checks the stored key's expiry
    # on it; only then is the page's clock fixed, on a date that is the same on any day the test runs.
    s = _open(browser, site)
    s.page.clock.set_fixed_time(dt.datetime(2026, 11, 26, 4, 30, tzinfo=dt.UTC))
    titles, status = search_results(s.page, site["url"] + "search/?contact_now=1")
    assert set(titles) == expected and "見つかりました" in status
    assert s.page.is_checked("input[name=contact_now]")
    titles, _ = search_results(s.page, site["url"] + "search/?contact_now=1&q=" + quote("訪問診療"))
    assert set(titles) == expected & {p.name for p in directory.physicians if p.home_visits}
    s.close()


def test_a_result_card_shows_conditions_and_date_that_the_search_box_does_not_find(sites, browser):
    """条件 and the confirmation date reach the card from the record's own fragment (never words of the index):
    the card shows them, and a word found only in 条件 finds nothing (tests/search_queries.yaml, 入浴)."""
    site = sites["demo"]
    s = _open(browser, site)
    titles, _ = search_results(s.page, site["url"] + "search/?q=" + quote("デイサービスさくら"))
    assert titles[:1] == ["デイサービスさくら"]
    card = s.page.locator("#search-results .card").first
    assert card.locator(".conditions").inner_text() == "条件 入浴は午前のみ。送迎は北部エリアに限ります。 …"
    assert card.locator("time").get_attribute("datetime") == "2026-11-20"
    titles, status = search_results(s.page, site["url"] + "search/?q=" + quote("北部エリア"))
    assert "デイサービスさくら" not in titles, status
    # The date still orders the offices (Pagefind's sort, given inside data-pagefind-ignore): newest first.
    titles, _ = search_results(s.page, site["url"] + "search/?" + urlencode({"kind": "事業所", "sort": "updated"}))
    dates = s.page.locator("#search-results .card time").evaluate_all("els => els.map((e) => e.dateTime)")
    assert len(dates) > 20 and dates == sorted(dates, reverse=True), dates
    s.close()
