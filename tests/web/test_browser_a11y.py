"""Every page kind in a real browser: axe-core (WCAG 2.1 AA) clean, and usable on a 360 px phone."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
import tools

from tsunagu.domain.config import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 11, 22)
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice", "experimental"]


@pytest.fixture(scope="module")
def site(demo_site):
    paths = demo_site["paths"]
    pages = {
        "home": "",
        "providers": "providers/",
        "area list": "providers/1/",
        "physicians": "physicians/",
        "provider": paths["day-sakura"],
        "stale provider": paths["nyuyoku-minami"],
        "physician": paths["yamada-naika"],
        "search with results": "search/?q=" + quote("デイ"),
        "sheet": "status/",
        "changes": "changes/",
        "notices": "notices/",
        "desks": "desks/",
        "404": "404.html",
        "404 at depth": "r/x.html",
        "404 in a folder": "a/b/c/",
    }
    return {"url": demo_site["url"], "pages": pages}


def at_unlock_page(browser, site, width: int, height: int = 800, **options):
    """A new context on the unlock page; CSP bypassed only so the test can inject axe."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=True, timezone_id="Asia/Tokyo", **options
    )
    page = context.new_page()
    page.goto(site["url"] + "unlock/")
    page.wait_for_selector("#unlock-form:not([hidden])")
    return context, page


def sign_in(page, site) -> None:
    """Unlock with the demo password from the unlock page and land on the home page."""
    page.fill("#password", DEMO_PASSWORD)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_url(site["url"])


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    if "/search/" in url:
        page.locator("#search-status").filter(has_text=re.compile("見つかりました")).wait_for()
    page.wait_for_timeout(50)


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(tools.axe_core()))
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
        .then(r => r.violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))""",
        WCAG_AA,
    )
    return result


@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_nothing_on_any_page_kind(site, browser, width):
    tools.axe_core()
    context, page = at_unlock_page(browser, site, width)
    found = {"unlock": axe_violations(page)}
    sign_in(page, site)
    for kind, path in site["pages"].items():
        open_page(page, site["url"] + path)
        found[kind] = axe_violations(page)
    # The check can fail: an image without a text alternative, a link named unlike its text.
    page.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<img src="x.png"><a href="#" aria-label="別の名前">見える文字</a>')""")
    caught = [v.split(":")[0] for v in axe_violations(page)]
    context.close()
    assert {k: v for k, v in found.items() if v} == {}
    assert "image-alt" in caught and "label-content-name-mismatch" in caught


def page_width(page) -> list[int]:
    """The page's full width and the window's: wider means sideways scrolling."""
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


def test_a_360px_phone_has_no_sideways_scroll_and_every_menu_item_in_reach(site, browser):
    context, page = at_unlock_page(browser, site, 360)
    sign_in(page, site)
    problems = []
    for kind, path in site["pages"].items():
        open_page(page, site["url"] + path)
        width = page_width(page)
        if width[0] > width[1]:
            problems.append(f"{kind}: page is {width[0]} px wide")
        for box in page.locator("nav[aria-label=メインメニュー] a").evaluate_all(
            "as => as.map(a => [a.textContent, a.getBoundingClientRect().toJSON()])"
        ):
            label, rect = box
            if rect["left"] < 0 or rect["right"] > 360 or rect["height"] < 44:
                problems.append(f"{kind}: menu item {label} at {rect}")
        small = page.evaluate("""() => [...document.querySelectorAll(
            'main button, main select, main input[type=search], main a.button, main a.tel, main .card-title, header button, ' +
            'main label:has(> input[type=checkbox]), main label:has(> input[type=radio]), main .glance a, ' +
            'main .s-name a, main .change .who a, main details.folded summary')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim().slice(0, 20) || e.name, e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)""")
        problems += [f"{kind}: tap target {label!r} is {h:.0f} px tall" for label, h in small]
    context.close()
    assert problems == []


def test_tel_links_on_record_pages(site, browser):
    context, page = at_unlock_page(browser, site, 360)
    sign_in(page, site)
    for kind in ("provider", "physician"):
        open_page(page, site["url"] + site["pages"][kind])
        hrefs = page.locator("main a.tel").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert hrefs and all(re.fullmatch(r"tel:0\d{9,10}", h) for h in hrefs), hrefs
    context.close()


def test_readable_at_200_percent_zoom(site, browser):
    """A 1280 px window at 200 % zoom lays out like a 640 px one: no sideways scroll, nothing clipped."""
    context, page = at_unlock_page(browser, site, 640, 400, device_scale_factor=2)
    sign_in(page, site)
    wide = []
    for kind, path in site["pages"].items():
        open_page(page, site["url"] + path)
        size = page_width(page)
        if size[0] > size[1]:
            wide.append(kind)
    context.close()
    assert wide == []
