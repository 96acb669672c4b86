"""Client benchmark in headless Chromium (Debian's, as the browser tests use): search latency and bytes per
query, and a record page view on a slow network, encrypted (service worker) against the same page unencrypted."""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from host import SLOW_4G, Host  # noqa: E402
from steps import PASSWORD  # noqa: E402

QUERIES = ["デイ", "さくら", "訪問看護", "入浴", "胃ろう", "北条", "ケアマネ", "グループホーム", "029-000-12", "山田",
           "みどり市 デイ", "市"]  # the last one matches every record: the worst case

# Typed into the box; timed in the page from the input event to the first result card on screen, and
# to the status line that says the first page (20 cards) is complete.
TIME_QUERY = """async (q) => {
  const input = document.getElementById("search-q"), status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  list.replaceChildren();
  const t0 = performance.now();
  let first = null;
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (first === null && list.querySelector(".card-title")) first = performance.now() - t0;
      if (status.textContent.includes("「" + q + "」")) { obs.disconnect(); resolve(); }
    });
    obs.observe(status, { childList: true, characterData: true, subtree: true });
    obs.observe(list, { childList: true });
  });
  input.value = q;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await done;
  return [first === null ? performance.now() - t0 : first, performance.now() - t0];
}"""
# The document's own navigation timing: response end, DOMContentLoaded end and load end, from navigation start.
VIEW = """() => { const n = performance.getEntriesByType("navigation")[0];
  return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd]; }"""


def _unlock(page, url: str, path: str) -> None:
    page.goto(url + path)
    page.wait_for_selector("#unlock-form:not([hidden])")
    page.fill("#password", PASSWORD)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_url(url + path, timeout=60000)


def bench_search(out: Path) -> None:
    """Search on a local host (no throttling): first results after each query typed, bytes fetched."""
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    host = Host(out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context().new_page()
        started = time.perf_counter()
        _unlock(page, host.url, "search/")
        page.locator("#search-status").filter(has_text="キーワード").wait_for(timeout=60000)
        print(f"  unlock (PBKDF2 600,000) and open /search/: {(time.perf_counter() - started) * 1000:.0f} ms, "
              f"{host.bytes_sent() / 1024:.0f} KiB (Pagefind's runtime and index metadata load in the background)")
        page.wait_for_timeout(1500)
        host.sent.clear()
        first, _full = page.evaluate(TIME_QUERY, "訪問介護")
        print(f"  first query of the session '訪問介護': first results {first:.0f} ms, {host.bytes_sent() / 1024:.0f} KiB")
        firsts, fulls, fetched = [], [], []
        for q in QUERIES:
            page.fill("#search-q", "")
            page.wait_for_timeout(400)
            host.sent.clear()
            first, full = page.evaluate(TIME_QUERY, q)
            page.wait_for_timeout(200)
            firsts.append(first)
            fulls.append(full)
            fetched.append(host.bytes_sent())
            print(f"  {q!r}: first results {first:.0f} ms, first page of 20 {full:.0f} ms, "
                  f"{fetched[-1] / 1024:.0f} KiB fetched ({page.inner_text('#search-status')})")
        browser.close()
    host.close()
    print(f"search: first results median {statistics.median(firsts):.0f} ms, max {max(firsts):.0f} ms; first page "
          f"of 20 median {statistics.median(fulls):.0f} ms, max {max(fulls):.0f} ms; "
          f"median {statistics.median(fetched) / 1024:.0f} KiB fetched per query")


def _reader(out: Path):
    from tsunagu.pipeline.packs import open_site

    return open_site({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}, PASSWORD)


def plain_site(out: Path, folder: Path, paths: list[str]) -> Path:
    """The same pages unencrypted (decrypted from the build: the very bytes the service worker serves), same assets."""
    reader = _reader(out)
    shutil.copytree(out / "assets", folder / "assets")
    for path in paths:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(reader.read(path))
    return folder


def _view(page, host: Host, path: str) -> tuple[list[float], int]:
    """One page view over the slow network, from the site's home page (fast network)."""
    host.network = None
    page.goto(host.url)
    host.sent.clear()
    host.network = SLOW_4G
    page.goto(host.url + path)
    timings = page.evaluate(VIEW)
    host.network = None
    return timings, host.bytes_sent()


def bench_pageview(out: Path, work: Path, count: int = 8) -> None:
    """Record page views on a slow network, each encrypted and then plain (paired), after unlock."""
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    every = sorted(p for p in _reader(out).paths() if p.startswith("r/"))
    paths = [every[i * len(every) // (count + 1)] for i in range(count + 1)]   # the first one warms up
    plain = plain_site(out, work / "plain", ["index.html", *paths])
    sealed_host, plain_host = Host(out), Host(plain)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        sealed, bare = browser.new_context().new_page(), browser.new_context().new_page()
        _unlock(sealed, sealed_host.url, "")
        rows = []
        for number, path in enumerate(paths):
            a, b = _view(sealed, sealed_host, path), _view(bare, plain_host, path)
            if number:
                rows.append((a, b))
                print(f"  {path}: encrypted load {a[0][2]:.0f} ms ({a[1] / 1024:.1f} KiB), "
                      f"plain load {b[0][2]:.0f} ms ({b[1] / 1024:.1f} KiB), ratio {a[0][2] / b[0][2]:.2f}")
        browser.close()
    sealed_host.close()
    plain_host.close()
    median = statistics.median
    enc, pl = median(r[0][0][2] for r in rows), median(r[1][0][2] for r in rows)
    print(f"record page view after unlock, {SLOW_4G.name} applied by the host to every response, gzip for text, "
          f"ETag revalidation, Cache-Control no-cache; {len(rows)} records, each opened from the home page:")
    print(f"  encrypted (service worker): median load {enc:.0f} ms (HTML ready {median(r[0][0][0] for r in rows):.0f} ms), "
          f"{median(r[0][1] for r in rows) / 1024:.1f} KiB per view")
    print(f"  plain (same page, gzip):    median load {pl:.0f} ms (HTML ready {median(r[1][0][0] for r in rows):.0f} ms), "
          f"{median(r[1][1] for r in rows) / 1024:.1f} KiB per view")
    print(f"  ratio encrypted / plain: {enc / pl:.2f}x (median of the paired ratios "
          f"{median(r[0][0][2] / r[1][0][2] for r in rows):.2f}x)")
