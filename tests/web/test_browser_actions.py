"""Every result is an action, and freshness has one truth: cards, lists, sheet and record pages in a real browser."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from test_browser_day import Day, glance_cell, jst

from tsunagu.data.history import read_history

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# デイサービス南台 (南部, 通所介護) was confirmed on 2026-11-16: 6 days old on the 22nd, stale (over 14) from the 1st.
MINAMIDAI = ("day-minamidai", "デイサービス南台", "2026-11-16")


@pytest.fixture(scope="module")
def site(demo_site):
    return demo_site


def freshness(scope) -> tuple[str, bool]:
    """The age a place shows for a confirmation, and whether its 「更新が古い」 mark is showing."""
    el = scope.locator(f'[data-confirmed="{MINAMIDAI[2]}"]').first
    el.locator("[data-age]").filter(has_text=re.compile(r"日前|今日")).wait_for()
    return el.locator("[data-age]").inner_text(), el.get_by_text("更新が古い").is_visible()


def every_place(day: Day, moment: dt.datetime) -> dict[str, object]:
    """The one confirmation as each page shows it, with the device clock at a moment."""
    rid, name, _ = MINAMIDAI
    seen = {}
    day.at(moment, rid)
    seen["record page"] = freshness(day.page.locator(".status-box"))
    day.at(moment, "providers/3/")
    seen["area list"] = freshness(day.page.locator("li.card").filter(has_text=name))
    day.at(moment, "status/")
    seen["sheet"] = freshness(day.page.locator("table.sheet tbody tr").filter(has_text=name).first)
    day.at(moment, "search/?q=" + quote(name))
    seen["search card"] = freshness(day.page.locator("#search-results li").filter(has_text=name).first)
    # The glance grid counts recent answers only: デイサービス南台 is the only 通所介護 in 南部.
    day.at(moment, "")
    seen["glance"] = glance_cell(day.page, "通所介護", "南部", "new_clients")
    return seen


def test_one_freshness_truth_across_pages_as_the_clock_moves(site, browser):
    day = Day(browser, site)
    fresh = every_place(day, jst("2026-11-22T10:00:00"))
    assert fresh.pop("glance") == "ok 1"  # counted
    assert set(fresh.values()) == {("（6日前）", False)}
    stale = every_place(day, jst("2026-12-01T10:00:00"))
    assert stale.pop("glance") == "no ×0"  # no longer counted: the same truth
    assert set(stale.values()) == {("（15日前）", True)}
    # The sheet's stale count follows the same clock: the home page's count is of the same entries.
    day.at(jst("2026-12-01T10:00:00"), "")
    stale = sum(1 for e in site["entries"] if e.updated and (dt.date(2026, 12, 1) - e.updated).days > 14)
    assert day.page.locator("[data-stale-count]").inner_text() == str(stale)
    day.close()


def test_the_first_search_result_is_an_action_on_the_first_phone_screen(site, browser):
    day = Day(browser, site, width=PHONE["width"])
    day.page.set_viewport_size(PHONE)
    day.at(jst("2026-11-24T10:00:00"), "search/?q=" + quote("デイ"))
    first = day.page.locator("#search-results li").first
    first.locator(".card-title").wait_for()
    title = first.locator(".card-title").bounding_box()
    assert title and title["y"] + title["height"] <= 700, title
    # The filters wait behind one button; the card has the three answers, the phone and the age.
    assert not day.page.locator("#search-filters").is_visible()
    assert first.locator(".badges .badge").count() == 3
    # The answers come from the result's filters (never metadata: SECURITY.md), each one the card of the record says.
    codes = [c.split(" ")[1] for c in first.locator(".badges .badge").evaluate_all("bs => bs.map(b => b.className)")]
    answers = day.page.evaluate(
        'async (u) => (await (await fetch(u)).text()).match(/class="badge b-[a-z_]+/g)',
        first.locator(".card-title").get_attribute("href"),
    )
    assert codes == [a.split('"')[1].split(" ")[1] for a in answers[:3]], (codes, answers)
    call = first.locator("a.call")
    assert re.fullmatch(r"tel:0\d{9}", call.get_attribute("href") or "")
    box = call.bounding_box()
    assert box and box["y"] + box["height"] <= 844 and box["height"] >= 44
    assert re.search(r"確認（\d+日前）", first.inner_text())
    day.page.click("[data-filter-toggle]")
    day.page.select_option("select[name=area]", label="南部")
    assert day.page.locator("[data-filter-toggle]").inner_text() == "絞り込み（1）"
    day.close()


def test_a_physician_result_says_until_when_or_when_next(site, browser):
    day = Day(browser, site)
    day.at(jst("2026-11-24T12:45:00"), "search/?q=" + quote("佐藤"))  # Tuesday, inside 佐藤医院's window
    card = day.page.locator("#search-results li").filter(has_text="佐藤 花子").first
    assert card.locator("[data-contact-now]").inner_text() == "今連絡できます: 電話・FAX（13:30まで）"
    day.at(jst("2026-11-24T14:00:00"), "search/?q=" + quote("やまだ内科"))
    card = day.page.locator("#search-results li").first
    assert card.locator("[data-contact-now]").inner_text() == "次は 木曜 13:00-14:00 電話"
    day.close()


def test_contact_now_hides_empty_areas_and_names_who_is_next(site, browser):
    day = Day(browser, site)
    day.at(jst("2026-11-23T13:30:00"), "physicians/")  # a holiday: one physician may be called
    day.page.get_by_label("今連絡できる医師だけ表示").check()
    shown = day.page.locator("section[data-area-section]:visible")
    assert shown.count() == 1
    jumps = day.page.locator("[data-area-jump]:visible").all_inner_texts()
    assert jumps == ["中部（1）"], jumps
    assert day.page.locator("[data-next-up]").is_hidden()
    day.at(jst("2026-11-24T03:00:00"), "physicians/")  # 03:00: nobody
    day.page.get_by_label("今連絡できる医師だけ表示").check()
    assert day.page.locator("section[data-area-section]:visible").count() == 0
    assert day.page.locator("[data-filter-count]").inner_text() == "今連絡できる医師: 0 名"
    nexts = day.page.locator("[data-next-up] li[data-physician]")
    assert day.page.locator("[data-next-up]").is_visible() and nexts.count() >= 3
    first = nexts.first.locator(".cn-text").inner_text()
    assert first.startswith("次は 今日 "), first
    day.close()


@pytest.mark.parametrize("path", ["r/x.html", "a/b/c/"])
def test_the_not_found_page_is_styled_with_working_links_at_any_depth(site, browser, path):
    day = Day(browser, site, width=PHONE["width"])
    response = day.page.goto(site["url"] + path)
    assert response and response.status == 404
    assert day.page.locator("h1").inner_text() == "ページが見つかりません"
    # Styled: the stylesheet of the site's root, not of /r/assets/.
    assert day.page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(246, 247, 249)"
    day.page.locator("main").get_by_role("link", name="検索").click()
    day.page.locator("#search-form").wait_for()
    assert day.page.url == site["url"] + "search/"
    day.close()


def test_changes_are_shown_whole_not_cut_at_the_change(site, browser):
    history = read_history(site["config"].data_dir, site["config"].today)
    long = [
        (c.name, before, after) for c in history.changes for _, before, after in c.fields if len(before + after) > 30
    ]
    day = Day(browser, site)
    day.at(jst("2026-11-24T10:00:00"), "changes/")
    text = day.page.locator("main").inner_text()
    assert "…" not in text
    for name, before, after in long:
        assert name in text and before in text and after in text
    folded = day.page.locator("details.folded summary").all_inner_texts()
    assert any(re.fullmatch(r"新規登録 \d+ 件", s) for s in folded), folded
    # Days after this device's last visit are marked; the others are not.
    dates = sorted({c.date for c in history.changes})
    assert len(dates) >= 2, dates
    day.page.evaluate(f"sessionStorage.clear(); localStorage.setItem('tsunagu-last-visit', '{dates[0]}')")
    day.at(jst("2026-11-24T10:00:00"), "changes/")
    marked = day.page.locator("[data-change-date]").evaluate_all(
        "ds => ds.map(d => [d.dataset.changeDate, !d.querySelector('[data-since-mark]').hidden])"
    )
    assert marked and all(is_new == (date > dates[0].isoformat()) for date, is_new in marked), marked
    assert any(is_new for _, is_new in marked)
    day.close()


def test_no_raw_markdown_marks_on_any_page(site, browser):
    paths = site["paths"]
    day = Day(browser, site)
    pages = [
        "",
        "providers/1/",
        "providers/2/",
        "providers/3/",
        "physicians/",
        "status/",
        "changes/",
        paths["rouken-hojo"],
        paths["day-takezono"],
        paths["helper-kukizaki"],
        "search/?q=" + quote("老健"),
    ]
    for path in pages:
        day.at(jst("2026-11-24T10:00:00"), path)
        if "search" in path:
            day.page.locator("#search-results li").first.wait_for()
        assert "**" not in day.page.locator("main").inner_text(), path
    day.close()


def test_the_footer_says_what_is_saved_on_this_device(site, browser):
    day = Day(browser, site)
    day.at(jst("2026-12-06T08:30:00"), "")
    assert day.page.locator("[data-saved]").is_hidden()
    day.page.click("[data-save-offline]")
    day.page.locator("[data-save-status]").filter(has_text="この端末に保存しました").wait_for(timeout=60_000)
    total = len(site["entries"])
    assert day.page.locator("[data-saved]").inner_text() == f"保存済み 12/6 08:30（全 {total:,} 件）"
    day.at(jst("2026-12-06T09:00:00"), "status/")
    assert day.page.locator("[data-saved]").inner_text() == f"保存済み 12/6 08:30（全 {total:,} 件）"
    day.close()


@pytest.mark.parametrize("rid", ["day-sakura", "sato-iin"])
def test_a_record_page_opens_with_name_badges_conditions_and_phone(site, browser, rid):
    day = Day(browser, site, width=PHONE["width"])
    day.page.set_viewport_size(PHONE)
    day.at(jst("2026-11-24T10:00:00"), rid)
    parts = ["h1", "a.call", ".call-row .fax", ".badges, [data-contact-now]", ".plain-text"]
    for css in parts:
        box = day.page.locator("main").locator(css).first.bounding_box()
        assert box and box["y"] < 600, (css, box)
    assert day.page.locator("main a.call").first.bounding_box()["height"] >= 44
    day.close()


def test_offline_without_a_saved_copy_says_how_to_save_next_time(site, browser):
    day = Day(browser, site)
    day.at(jst("2026-11-24T10:00:00"), "providers/")
    day.context.set_offline(True)
    day.page.reload()
    day.page.locator("[data-offline]").wait_for()
    assert "「この端末に保存」" in day.page.locator("[data-offline-hint]").inner_text()
    day.page.goto(site["url"] + site["paths"]["day-sakura"])  # never opened: not on this device
    assert "「この端末に保存」を押すと" in day.page.locator("main").inner_text()
    day.context.set_offline(False)
    day.close()
