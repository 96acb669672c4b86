#!/usr/bin/env python3
"""Benchmark: build a synthetic prefecture (10,000 providers, 3,000 physicians) and, with --search,
measure search latency and bytes fetched per query in headless Chromium.

    python bench/benchmark.py [--providers 10000] [--physicians 3000] [--search]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_data  # noqa: E402

from tsunagu.domain.config import DEMO_PASSWORD, Config  # noqa: E402
from tsunagu.pipeline.builder import build  # noqa: E402

QUERIES = ["デイ", "さくら", "訪問看護", "入浴", "胃ろう", "北条", "ケアマネ", "グループホーム", "029-000-12", "山田",
           "みどり市 デイ", "市"]  # the last one matches every record: the worst case


TIME_QUERY = """async (q) => {
  const input = document.getElementById("search-q"), status = document.getElementById("search-status");
  const t0 = performance.now();
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (status.textContent.includes("「" + q + "」")) { obs.disconnect(); resolve(); }
    });
    obs.observe(status, { childList: true, characterData: true, subtree: true });
  });
  input.value = q;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await done;
  return performance.now() - t0;
}"""


def bench_build(work: Path, providers: int, physicians: int) -> Path:
    started = time.perf_counter()
    data = write_data(work / "data", providers, physicians)
    print(f"synthetic data: {providers:,} providers, {physicians:,} physicians "
          f"({time.perf_counter() - started:.1f} s to write)")
    out = work / "site"
    report = build(Config(data_dir=data, out_dir=out))
    total = sum(report.seconds.values())
    stages = ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items())
    print(f"build: {total:.1f} s ({stages}); {report.pages:,} pages, {report.files:,} files, "
          f"{report.bytes / 1e6:.0f} MB")
    return out


def bench_search(out: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser_support import ARGS, CHROMIUM, SiteServer
    from playwright.sync_api import sync_playwright

    server = SiteServer(out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url + "search/")
        page.wait_for_selector("#unlock-form:not([hidden])")
        page.fill("#password", DEMO_PASSWORD)
        server.sent.clear()
        started = time.perf_counter()
        page.click("#unlock-form button[type=submit]")
        page.wait_for_url("**/search/")
        page.locator("#search-status").filter(has_text="キーワード").wait_for(timeout=60000)
        print(f"  unlock (PBKDF2 600,000) and open /search/: "
              f"{(time.perf_counter() - started) * 1000:.0f} ms, {sum(n for _p, n in server.sent) / 1024:.0f} KiB")
        server.sent.clear()
        ms = page.evaluate(TIME_QUERY, "訪問介護")
        print(f"  first query of the session (loads Pagefind's wasm and index metadata) '訪問介護': "
              f"{ms:.0f} ms, {sum(n for _p, n in server.sent) / 1024:.0f} KiB")
        latencies, fetched = [], []
        for q in QUERIES:
            page.fill("#search-q", "")
            page.wait_for_timeout(400)
            server.sent.clear()
            # Typed into the box; timed in the page from the input event to the results shown
            # (includes the 120 ms typing debounce).
            ms = page.evaluate(TIME_QUERY, q)
            page.wait_for_timeout(200)
            sent = sum(n for _path, n in server.sent)   # bytes the static host sent for this query
            latencies.append(ms)
            fetched.append(sent)
            print(f"  {q!r}: first results {ms:.0f} ms, {sent / 1024:.0f} KiB fetched "
                  f"({page.inner_text('#search-status')})")
        browser.close()
    server.close()
    print(f"search: median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms to first results; "
          f"median {statistics.median(fetched) / 1024:.0f} KiB fetched per query")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--physicians", type=int, default=3_000)
    parser.add_argument("--search", action="store_true", help="also measure search in headless Chromium")
    args = parser.parse_args()
    # Under the repository (git-ignored), not /tmp: measure the disk the site is built on.
    base = Path(__file__).resolve().parents[1] / "bench-out"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=base) as tmp:
        out = bench_build(Path(tmp), args.providers, args.physicians)
        if args.search:
            bench_search(out)


if __name__ == "__main__":
    main()
