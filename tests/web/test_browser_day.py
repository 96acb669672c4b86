"""The care manager's day in a real browser with a mocked clock: contact-now, ages that move, the sheet."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from tsunagu.domain.config import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 11, 22)


def jst(text: str) -> dt.datetime:
    """A moment given in Japan time."""
    return dt.datetime.fromisoformat(text + "+09:00")


@pytest.fixture(scope="module")
def site(demo_site):
    return demo_site


class Day:
    """An unlocked browser context whose clock the test sets (the unlock itself runs on the real clock)."""

    def __init__(self, browser, site, zone: str = "Asia/Tokyo", width: int = 1280, **options):
        self.url = site["url"]
        self.paths = site["paths"]
        self.context = browser.new_context(timezone_id=zone, viewport={"width": width, "height": 800}, **options)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url)
        self.page.wait_for_selector("#unlock-form:not([hidden])")
        self.page.fill("#password", DEMO_PASSWORD)
        self.page.click("#unlock-form button[type=submit]")
        self.page.wait_for_url(self.url)
        self.installed = False

    def at(self, moment: dt.datetime, path: str = "") -> None:
        """Open a page with the device clock at a moment."""
        if self.installed:
            self.page.clock.set_system_time(moment)
        else:
            self.page.clock.install(time=moment)
            self.installed = True
        self.page.goto(self.url + self.paths.get(path, path))
        self.page.wait_for_load_state("load")

    def contact(self, rid: str) -> tuple[str, str]:
        """The contact-now state and sentence of a physician's page."""
        self.at_path(rid)
        el = self.page.locator("main [data-contact-now]").first
        el.locator(".cn-text").filter(has_not_text="確認しています").wait_for()
        return el.get_attribute("data-contact-now"), el.inner_text()

    def at_path(self, rid: str) -> None:
        self.page.goto(self.url + self.paths[rid])

    def close(self) -> None:
        assert self.errors == []
        self.context.close()


def test_contact_now_inside_and_outside_a_window(site, browser):
    day = Day(browser, site)
    day.at(jst("2026-11-24T12:45:00"))  # Tuesday
    assert day.contact("sato-iin") == ("now", "今連絡できます: 電話・FAX（13:30まで）")
    day.at(jst("2026-11-24T14:00:00"))
    assert day.contact("yamada-naika") == ("later", "次は 木曜 13:00-14:00 電話")
    assert day.contact("sato-iin") == ("later", "次は 明日 水曜 12:30-13:30 電話・FAX")
    day.at(jst("2026-11-24T12:00:00"))
    assert day.contact("sato-iin") == ("later", "次は 今日 12:30-13:30 電話・FAX")
    day.close()


def test_a_national_holiday_is_not_a_contact_day_unless_a_window_says_so(site, browser):
    day = Day(browser, site)
    day.at(jst("2026-11-23T13:30:00"))  # Monday, 勤労感謝の日; yamada's window is Monday 13:00-14:00
    assert day.contact("yamada-naika") == ("later", "次は 木曜 13:00-14:00 電話（今日は祝日: 勤労感謝の日）")
    assert day.contact("ito-chuo-hosp") == ("now", "今連絡できます: 電話・FAX（17:00まで）")
    day.at(jst("2026-11-30T13:30:00"))  # the next Monday is an ordinary day
    assert day.contact("yamada-naika") == ("now", "今連絡できます: 電話（14:00まで）")
    day.close()


def test_contact_now_uses_japan_time_on_a_device_in_another_zone(site, browser):
    day = Day(browser, site, zone="America/Los_Angeles")
    # Tuesday 12:45 in Japan is Monday 19:45 in Los Angeles, outside every local reading of the windows.
    day.at(jst("2026-11-24T12:45:00"))
    assert day.page.evaluate("new Date().getHours()") == 19
    assert day.contact("sato-iin") == ("now", "今連絡できます: 電話・FAX（13:30まで）")
    assert day.contact("yamada-naika") == ("later", "次は 木曜 13:00-14:00 電話")
    day.close()


def test_the_physician_list_filters_to_those_who_may_be_called_now(site, browser):
    day = Day(browser, site)
    day.at(jst("2026-11-23T13:30:00"), "physicians/")
    cards = day.page.locator("li[data-physician]")
    assert cards.count() == len(site["directory"].physicians)
    assert day.page.locator('li[data-physician] [data-contact-now="now"]').count() == 1
    day.page.get_by_label("今連絡できる医師だけ表示").check()
    visible = day.page.locator("li[data-physician]:visible .card-title").all_inner_texts()
    assert visible == ["伊藤 健一"]
    assert day.page.locator("[data-filter-count]").inner_text() == "今連絡できる医師: 1 名"
    day.page.get_by_label("今連絡できる医師だけ表示").uncheck()
    assert day.page.locator("li[data-physician]:visible").count() == cards.count()
    day.close()


def test_staleness_moves_with_the_clock_without_a_rebuild(site, browser):
    day = Day(browser, site)
    box = day.page.locator(".status-box")
    day.at(jst("2026-11-22T09:00:00"), "day-sakura")  # confirmed 2026-11-20
    assert day.page.locator(".status-box .updated").inner_text() == "2026年11月20日確認（2日前）"
    assert "is-stale" not in box.get_attribute("class") and not day.page.get_by_text("更新が古い").is_visible()
    day.at(jst("2026-12-10T09:00:00"), "day-sakura")
    assert day.page.locator(".status-box .updated").inner_text() == "2026年11月20日確認（20日前） 更新が古い"
    assert "is-stale" in box.get_attribute("class")
    assert day.page.get_by_text("この情報は14日を超えて確認されていません").is_visible()
    day.close()


def fold(text: str) -> str:
    """Text as compared with a PDF's: without whitespace, and nothing else (the PDF's text is the text: a font whose
    cmap gives 日 as the radical ⽇ or ・ as ‧ is a product bug, which folding would hide; see style.css, print)."""
    return re.sub(r"\s+", "", text)


def pdf_text(page) -> str:
    """A PDF page's text, folded."""
    return fold(page.extract_text())


def glance_cell(page, service: str, area: str, key: str) -> str:
    """A glance cell as the reader sees it: its state (the colour) and its visible counts."""
    row = page.locator("table.glance tbody tr").filter(has=page.locator(f'th:text-is("{service}")'))
    link = row.locator(f'td[data-area="{area}"] a[data-key="{key}"]')
    shown = [n.inner_text() for n in link.locator(".n:visible .num, .n-none:visible").all()]
    return f"{link.get_attribute('data-state')} {' '.join(shown)}"


def test_home_counts_move_with_the_clock(site, browser):
    entries = site["entries"]
    day = Day(browser, site)
    day.page.evaluate("localStorage.setItem('tsunagu-last-visit', '2026-11-19')")
    day.at(jst("2026-11-22T09:00:00"), "")
    newer = sum(1 for e in entries if e.updated and e.updated > dt.date(2026, 11, 19))
    assert (
        day.page.locator("[data-since-visit]").inner_text()
        == f"前回の表示以降に更新（11月19日より後に確認）: {newer} 件"
    )
    assert day.page.evaluate("localStorage.getItem('tsunagu-last-visit')") == "2026-11-22"
    stale_now = sum(1 for e in entries if e.updated and (TODAY - e.updated).days > 14)
    assert day.page.locator("[data-stale-count]").inner_text() == str(stale_now)
    # 通所介護 × 北部: デイサービスさくら (confirmed 11-20) accepts new clients.
    assert day.page.get_by_label("確認が14日以内の回答だけを数える").is_checked()  # recent answers by default
    assert glance_cell(day.page, "通所介護", "北部", "new_clients") == "ok 1"
    day.page.get_by_label("確認が14日以内の回答だけを数える").uncheck()
    assert glance_cell(day.page, "通所介護", "北部", "new_clients") == "ok 1"
    day.at(jst("2027-01-05T09:00:00"), "")  # every answer is old now
    assert day.page.locator("[data-stale-count]").inner_text() == str(sum(1 for e in entries if e.updated))
    day.page.get_by_label("確認が14日以内の回答だけを数える").check()
    assert glance_cell(day.page, "通所介護", "北部", "new_clients") == "no ×0"
    assert "を数えていません。" in day.page.locator("[data-glance-older]").inner_text()
    day.close()


def pdftotext(pdf: bytes) -> str:
    """Poppler's reading of a PDF, whitespace removed (Debian poppler-utils, installed by .ci/run)."""
    import shutil
    import subprocess

    import tools

    tools.require(
        "poppler-utils (pdftotext)", shutil.which("pdftotext") is not None, "apt-get install -y poppler-utils"
    )
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode("utf-8"))


def test_the_morning_sheet_prints_by_area_with_footer_on_every_page(site, browser):
    from pypdf import PdfReader

    day = Day(browser, site)
    day.at(jst("2026-11-22T08:30:00"), "status/")
    assert not day.page.locator(".print-footer").is_visible(), "the paper's footer is not on screen"
    day.page.emulate_media(media="print")
    assert not day.page.locator(".site-header").is_visible() and not day.page.locator(".sheet-tools").is_visible()
    assert day.page.locator(".print-footer").is_visible()
    printed = day.page.pdf(format="A4")
    reader = PdfReader(io.BytesIO(printed))
    pages = [pdf_text(p) for p in reader.pages]
    assert len(pages) >= len(site["directory"].site.areas)
    for text in pages:
        assert fold("作成日2026年11月22日") in text and fold("関係者限り・転送禁止") in text and fold("○受入可") in text
    whole = "".join(pages)
    for area in site["directory"].site.areas:
        assert fold(f"{area}（") in whole
    for name, condition in [
        ("デイサービスさくら", "入浴は午前のみ"),
        ("ショートステイ豊里荘", "医療的ケア（経管栄養）の方は1名まで"),
        ("介護老人保健施設ほうじょう", "感染後の入所は PCR 陰性確認後 または"),
    ]:
        assert fold(name) in whole and fold(condition) in whole
    assert "*" not in whole, "conditions are plain text on paper too"
    assert "029-000-1012" in whole, "FAX numbers are on the sheet"
    # The PDF's text is the text on screen: no Kangxi radical (U+2F00-U+2FDF: ⽇ for 日, ⼊ for 入) in its place,
    # so a care manager's Ctrl+F for 受入 or an area's name finds it, in pypdf's reading and in poppler's.
    day.page.emulate_media(media="screen")
    headings = [re.sub(r"\s+", "", t) for t in day.page.locator("main h2, main h3").all_inner_texts()]
    day.page.emulate_media(media="print")
    assert not [c for c in whole if 0x2F00 <= ord(c) <= 0x2FDF]
    assert "受入" in whole and "短期入所療養介護（介護老人保健施設）" in whole
    assert headings and [h for h in headings if h not in whole] == []
    # One area at a time.
    day.page.emulate_media(media="screen")
    day.page.select_option("[data-sheet-area]", label="北部")
    day.page.emulate_media(media="print")
    north = "".join(pdf_text(p) for p in PdfReader(io.BytesIO(day.page.pdf(format="A4"))).pages)
    assert fold("北部（") in north and fold("中部（") not in north and fold("南部（") not in north
    day.close()
    poppler = pdftotext(printed)
    assert (
        "受入" in poppler
        and "作成日" in poppler
        and all(f"{area}（" in poppler for area in site["directory"].site.areas)
    )


def test_short_dates_name_their_year_once_the_year_has_turned(site, browser):
    day = Day(browser, site)
    row = day.page.locator("table.sheet tbody tr").filter(has_text="デイサービスさくら").first
    day.at(jst("2026-11-22T08:30:00"), "status/")
    assert row.locator(".s-date time").inner_text() == "11月20日"
    day.at(jst("2027-01-05T08:30:00"), "status/")
    assert row.locator(".s-date time").inner_text() == "2026年11月20日"
    day.close()


def test_the_sheet_is_cards_on_a_phone(site, browser):
    day = Day(browser, site, width=360)
    day.at(jst("2026-11-22T08:30:00"), "status/")
    row = day.page.locator("table.sheet tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    assert (
        day.page.locator("table.sheet td.s-tel").first.evaluate("td => getComputedStyle(td, '::before').content")
        == '"電話・FAX： "'
    )
    day.close()


def test_installable_manifest_and_icons(site, browser):
    import json

    from PIL import Image

    day = Day(browser, site)
    href = day.page.locator("link[rel=manifest]").get_attribute("href")
    manifest_url = day.page.evaluate("h => new URL(h, location.href).href", href)
    response = day.context.request.get(manifest_url)
    assert response.ok and response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.body())
    assert manifest["name"].startswith("つなぐ") and manifest["short_name"] == "つなぐ" and manifest["lang"] == "ja"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "../" and manifest["scope"] == "../"
    sizes = {}
    for icon in manifest["icons"]:
        data = day.context.request.get(manifest_url.rsplit("/", 1)[0] + "/" + icon["src"]).body()
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
        sizes[icon["sizes"]] = True
    assert {"192x192", "512x512"} <= set(sizes)
    favicon = day.context.request.get(site["url"] + "assets/favicon.ico")
    assert favicon.ok and Image.open(io.BytesIO(favicon.body())).format == "ICO"
    # Chromium's own verdict: nothing but the test's throwaway (incognito) profile stops installation.
    cdp = day.context.new_cdp_session(day.page)
    day.page.goto(site["url"])
    errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    assert errors == ["in-incognito"], errors
    day.close()
