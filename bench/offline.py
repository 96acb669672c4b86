"""What a phone downloads: 「この端末に保存」, a record view and a search, in headless Chromium on a loopback host.

    python bench/offline.py SITE [PASSWORD]   # a site built by bench/steps.py build (default: the bench password)

Counts the response bodies the host sends (gzip for text, as bench/host.py serves them): after unlocking on the
home page, pressing 「この端末に保存」 until the page says it is done; then, in a fresh browser, one record
page opened by address after unlock and one search typed on /search/.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from client import TIME_QUERY, _reader, _unlock  # noqa: E402
from host import Host  # noqa: E402

DONE = "この端末に保存しました"


def _by_kind(sent: list[tuple[str, int]]) -> str:
    kinds: dict[str, int] = {}
    for path, n in sent:
        kind = "sealed files (p/)" if path.startswith("/p/") else "runtime and public files"
        kinds[kind] = kinds.get(kind, 0) + n
    return ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(kinds.items()))


def save(out: Path) -> int:
    """Bytes fetched by 「この端末に保存」 pressed on the home page right after unlock."""
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    host = Host(out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context().new_page()
        _unlock(page, host.url, "")
        page.wait_for_load_state("networkidle")
        before = host.bytes_sent()
        host.clear()
        started = time.perf_counter()
        page.click("[data-save-offline]")
        page.locator("[data-save-status]").filter(has_text=DONE).wait_for(timeout=900_000)
        seconds = time.perf_counter() - started
        fetched = host.bytes_sent()
        print(f"  unlock and home page: {before / 1024:.0f} KiB")
        print(
            f"  この端末に保存: {fetched / 1e6:.1f} MB in {len(host.sent)} responses, {seconds:.1f} s "
            f"({_by_kind(host.sent)}); the page says: {page.inner_text('[data-save-status]')}"
        )
        browser.close()
    host.close()
    return fetched


def view_and_search(out: Path, query: str = "デイ") -> tuple[int, int]:
    """Bytes of one record page opened by address after unlock, and of one search typed on /search/."""
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    record = sorted(p for p in _reader(out).paths() if p.startswith("r/"))[1]
    host = Host(out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context().new_page()
        _unlock(page, host.url, "search/")
        page.locator("#search-status").filter(has_text="キーワード").wait_for(timeout=60000)
        page.wait_for_load_state("networkidle")
        host.clear()
        page.evaluate(TIME_QUERY, query)
        page.wait_for_load_state("networkidle")
        searched = host.bytes_sent()
        host.clear()
        page.goto(host.url + record)
        page.wait_for_load_state("networkidle")
        viewed = host.bytes_sent(icons=False)
        browser.close()
    host.close()
    print(
        f"  record page by address after unlock: {viewed / 1024:.1f} KiB; search {query!r}: {searched / 1024:.0f} KiB"
    )
    return viewed, searched


if __name__ == "__main__":
    site = Path(sys.argv[1])
    if len(sys.argv) > 2:  # e.g. bench/region_deploy.py's build
        _unlock.__globals__["PASSWORD"] = sys.argv[2]
    save(site)
    view_and_search(site)
