"""Client benchmark in headless Chromium (Debian's, as the browser tests use): search latency and bytes per
query, and a record page view on a slow network, encrypted (service worker) against the same page unencrypted."""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "tests")]

from host import SLOW_4G, Host  # noqa: E402
from steps import PASSWORD  # noqa: E402

QUERIES = [
    "デイ",
    "さくら",
    "訪問看護",
    "入浴",
    "胃ろう",
    "北条",
    "ケアマネ",
    "グループホーム",
    "029-000-12",
    "山田",
    "みどり市 デイ",
    "市",
]  # the last one matches every record: the worst case

# Real queries for the eastern half of the open data (bench/east.py): places (a prefecture, cities, a ward name two
# cities share, a place outside the region), services and their everyday abbreviations, an office name, a phone
# number's first digits (Sapporo's 011-700), and 市, on nearly every record.
EAST_QUERIES = [
    "札幌市 デイ",
    "横浜市 訪問入浴",
    "仙台",
    "中央区",
    "名古屋 グループホーム",
    "長野県 特養",
    "京都",
    "ショート",
    "小多機",
    "ケアマネ",
    "訪問入浴",
    "ニチイ",
    "011-700",
    "市",
]

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


def _kind(path: str) -> str:
    """What a logical path is, for the bytes-by-kind line."""
    for ending, kind in ((".pf_index", "index chunk"), (".pf_fragment", "fragment"), (".pf_meta", "pagefind meta")):
        if path.endswith(ending):
            return kind
    if path.endswith(".pf_filter"):
        return "filter"
    return "record page" if path.startswith("r/") else "other sealed"


def kinds(out: Path):
    """A function from a response (URL path, Range header) to what it held: read from the build as the browser does."""
    from tsunagu.seal.packs import DIR, ENTRY, LOC, SOLO, file_name

    reader = _reader(out)
    where: dict[str, object] = {"/" + reader.root_name: "root manifest"}
    for e in reader.root["solo"]:
        where["/" + file_name(e[SOLO["digest"]])] = _kind(e[SOLO["path"]])
    for e in reader.root.get("loc", []):
        where["/" + file_name(e[LOC["digest"]])] = "locator"
    lists = reader.root.get("frg") or [None] * len(reader.root["dirs"])
    for number, (row, frg) in enumerate(zip(reader.root["dirs"], lists, strict=True)):
        if row is not None:
            pack = reader.directory(number)
            at = {e[ENTRY["offset"]]: _kind(e[ENTRY["path"]]) for e in pack["entries"].values()}
            at[row[DIR["offset"]]] = "pack directory"
            if frg is not None:
                at[frg[1]] = "fragment list"  # root "frg": digest, offset, length
            where["/" + pack["name"]] = at

    def kind(path: str, span: str | None) -> str:
        got = where.get(path.split("?")[0])
        if isinstance(got, dict):
            return got.get(int(span.split("=")[1].split("-")[0]), "pack range") if span else "whole pack"
        return got if isinstance(got, str) else "public " + path.rsplit("/", 1)[-1].split("?")[0]

    return kind


def by_kind(detail: list[tuple[str, str | None, int]], kind) -> dict[str, tuple[int, int]]:
    """kind -> (responses, bytes)."""
    out: dict[str, tuple[int, int]] = {}
    for path, span, size in detail:
        k = kind(path, span)
        count, total = out.get(k, (0, 0))
        out[k] = (count + 1, total + size)
    return dict(sorted(out.items(), key=lambda i: -i[1][1]))


def _kinds_line(counts: dict[str, tuple[int, int]]) -> str:
    return ", ".join(f"{k} {n}× {b / 1024:.0f} KiB" for k, (n, b) in counts.items())


def bench_search(out: Path, queries: list[str] = QUERIES, throttle: float = 1.0, detail: bool = False) -> dict:
    """Search on a local host: first results after each query typed, bytes fetched; with throttle > 1 the page's
    CPU is slowed that many times (CDP Emulation.setCPUThrottlingRate, after the unlock)."""
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    kind = kinds(out) if detail else None
    totals: dict[str, tuple[int, int]] = {}
    host = Host(out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context().new_page()
        started = time.perf_counter()
        _unlock(page, host.url, "search/")
        page.locator("#search-status").filter(has_text="キーワード").wait_for(timeout=60000)
        print(
            f"  unlock (PBKDF2 600,000) and open /search/: {(time.perf_counter() - started) * 1000:.0f} ms, "
            f"{host.bytes_sent() / 1024:.0f} KiB (Pagefind's runtime and index metadata load in the background)"
        )
        if kind:
            print("    " + _kinds_line(by_kind(host.detail, kind)))
        if throttle > 1:
            page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
            print(f"  CPU throttled x{throttle:g} from here on (the page; the service worker is not throttled)")
        page.wait_for_timeout(1500)
        host.clear()
        first, _full = page.evaluate(TIME_QUERY, "訪問介護")
        print(
            f"  first query of the session '訪問介護': first results {first:.0f} ms, {host.bytes_sent() / 1024:.0f} KiB"
        )
        firsts, fulls, fetched = [], [], []
        for q in queries:
            page.fill("#search-q", "")
            page.wait_for_timeout(400)
            host.clear()
            first, full = page.evaluate(TIME_QUERY, q)
            page.wait_for_timeout(200)
            firsts.append(first)
            fulls.append(full)
            fetched.append(host.bytes_sent())
            print(
                f"  {q!r}: first results {first:.0f} ms, first page of 20 {full:.0f} ms, "
                f"{fetched[-1] / 1024:.0f} KiB fetched in {len(host.sent)} requests ({page.inner_text('#search-status')})"
            )
            if kind:
                counts = by_kind(host.detail, kind)
                print("    " + _kinds_line(counts))
                for k, (n, b) in counts.items():
                    totals[k] = (totals.get(k, (0, 0))[0] + n, totals.get(k, (0, 0))[1] + b)
        browser.close()
    host.close()
    print(
        f"search{f' (CPU x{throttle:g})' if throttle > 1 else ''}: first results median "
        f"{statistics.median(firsts):.0f} ms, max {max(firsts):.0f} ms; first page "
        f"of 20 median {statistics.median(fulls):.0f} ms, max {max(fulls):.0f} ms; "
        f"median {statistics.median(fetched) / 1024:.0f} KiB fetched per query (max {max(fetched) / 1024:.0f} KiB)"
    )
    if kind:
        print(
            f"  per query, by kind (mean of {len(queries)}): "
            + _kinds_line({k: (round(n / len(queries)), b // len(queries)) for k, (n, b) in totals.items()})
        )
    return {"first": firsts, "page": fulls, "bytes": fetched}


def _reader(out: Path):
    from tsunagu.seal.reader import open_site

    return open_site({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}, PASSWORD)


def plain_site(out: Path, folder: Path, paths: list[str]) -> Path:
    """The same pages unencrypted (decrypted from the build: the very bytes the service worker serves), same assets."""
    reader = _reader(out)
    shutil.copytree(out / "assets", folder / "assets")
    for path in paths:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(reader.read(path))
    return folder


LIST = "providers/1/"
VISIBLE = """() => [...document.querySelectorAll("a[href]")].filter((a) => {
  const box = a.getBoundingClientRect();
  return a.pathname.includes("/r/") && box.top >= 0 && box.bottom <= innerHeight; }).map((a) => a.getAttribute("href"))"""


def _view(page, host: Host, path: str) -> tuple[list[float], int]:
    """A deep link: the record's address opened in a tab of the site (fast network until then)."""
    host.network = None
    page.goto(host.url)
    host.clear()
    host.network = SLOW_4G
    page.goto(host.url + path)
    timings = page.evaluate(VIEW)
    host.network = None
    return timings, host.bytes_sent(icons=False)


def _click(page, host: Host, href: str) -> tuple[list[float], int]:
    """From the list: a record on screen tapped once the list has settled (fast network until then)."""
    host.network = None
    host.clear()
    page.goto(host.url + LIST)
    page.wait_for_timeout(1500)  # a reader reads the list before tapping: what it fetches ahead meanwhile
    host.ahead.append(host.bytes_sent(icons=False))  # the list page view, and what it fetched ahead
    host.clear()
    host.network = SLOW_4G
    with page.expect_navigation(wait_until="load"):
        page.click(f"a[href='{href}']")
    timings = page.evaluate(VIEW)
    host.network = None
    return timings, host.bytes_sent(icons=False)


def _summary(label: str, rows: list) -> str:
    median = statistics.median
    enc, pl = median(r[0][0][2] for r in rows), median(r[1][0][2] for r in rows)
    return (
        f"{label}: encrypted (service worker) median load {enc:.0f} ms (HTML in "
        f"{median(r[0][0][0] for r in rows):.0f} ms), {median(r[0][1] for r in rows) / 1024:.1f} KiB per view; "
        f"plain (same page, gzip) {pl:.0f} ms (HTML in {median(r[1][0][0] for r in rows):.0f} ms), "
        f"{median(r[1][1] for r in rows) / 1024:.1f} KiB per view; ratio {enc / pl:.2f}x "
        f"(median of the paired ratios {median(r[0][0][2] / r[1][0][2] for r in rows):.2f}x)"
    )


def bench_pageview(out: Path, work: Path, count: int = 8) -> None:
    """Record page views on a slow network, each encrypted and then plain (paired), after unlock, under two
    host cache policies: revalidate every time (Netlify, Cloudflare Pages) and ten minutes (GitHub Pages)."""
    reader = _reader(out)
    every = sorted(p for p in reader.paths() if p.startswith("r/"))
    paths = [every[i * len(every) // (count + 1)] for i in range(count + 1)]  # the first one warms up
    listed = [f"r/{h.rsplit('/', 1)[1]}" for h in _hrefs(out)][: count + 1]
    plain = plain_site(out, work / "plain", ["index.html", LIST + "index.html", *paths, *listed])
    print(
        f"record page view after unlock: {SLOW_4G.name}, applied by the host to every response (Chrome's "
        f"own throttling does not reach the service worker's fetches); gzip for text, ETag; icons not counted; {count} records "
        f"opened by address from the home page, and {len(listed) - 1} tapped on the first screen of {LIST}; "
        f"encrypted and plain in turn"
    )
    for policy in ("no-cache", "max-age=600"):
        deep, tapped = _pageviews(out, plain, paths, listed, policy)
        print(f"  Cache-Control: {policy}")
        print("    " + _summary("by address", deep))
        print(
            "    " + _summary("from the list", tapped[0]) + f"; the list page's first visit, with what it fetched "
            f"ahead in 1.5 s: {statistics.median(tapped[1]) / 1024:.0f} KiB encrypted, "
            f"{statistics.median(tapped[2]) / 1024:.0f} KiB plain"
        )


def _hrefs(out: Path) -> list[str]:
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    host = Host(out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context().new_page()
        _unlock(page, host.url, LIST)
        hrefs = page.evaluate(VISIBLE)
        browser.close()
    host.close()
    return hrefs


def _pageviews(out: Path, plain: Path, paths: list[str], listed: list[str], policy: str) -> tuple[list, tuple]:
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    sealed_host, plain_host = Host(out, cache=policy), Host(plain, cache=policy)
    deep, tapped = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        sealed, bare = browser.new_context().new_page(), browser.new_context().new_page()
        _unlock(sealed, sealed_host.url, "")
        for number, path in enumerate(paths):
            row = _view(sealed, sealed_host, path), _view(bare, plain_host, path)
            deep += [row] if number else []
        for number, path in enumerate(listed):
            href = "../../" + path
            row = _click(sealed, sealed_host, href), _click(bare, plain_host, href)
            tapped += [row] if number else []
        browser.close()
    sealed_host.close()
    plain_host.close()
    return deep, (tapped, sealed_host.ahead[:1], plain_host.ahead[:1])  # the list's first visit (later ones: cached)


def main() -> None:
    """Search timings of a built site: python bench/client.py OUT [--east] [--throttle N]."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--east", action="store_true", help="the eastern half's real queries (bench/east.py)")
    parser.add_argument("--throttle", type=float, default=1.0, help="CPU slowdown of the page (CDP), e.g. 4")
    parser.add_argument("--detail", action="store_true", help="each query's responses by kind (index chunk, ...)")
    opts = parser.parse_args()
    bench_search(opts.out, EAST_QUERIES if opts.east else [*QUERIES, "ショート"], opts.throttle, opts.detail)


if __name__ == "__main__":
    main()
