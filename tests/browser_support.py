"""Helpers for the browser tests: a built site served on 127.0.0.1 and Debian's Chromium."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import re
import shutil
import threading
import time
from pathlib import Path

import tools
from conftest import TODAY

from tsunagu.domain.config import Config
from tsunagu.pipeline.builder import build

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


def require_chromium() -> None:
    """Skip locally without Chromium; in CI (.ci/run installs it) a missing browser is a failure."""
    tools.require("Debian chromium", Path(CHROMIUM).exists(), "apt-get install -y chromium")


class SiteServer:
    """A static server for a folder, like any static host; the folder may be rebuilt while it runs."""

    def __init__(self, folder: Path):
        from tsunagu.cli.serve import _Handler

        server = self
        self.sent: list[tuple[str, int]] = []  # (path, bytes) of every response body served

        class Counting(_Handler):
            def copyfile(self, source, outputfile) -> None:
                data = source.read()
                server.sent.append((self.path, len(data)))
                outputfile.write(data)

        handler = functools.partial(Counting, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


SEARCH_DONE = re.compile("見つかりました|見つかりませんでした|キーワードを入力するか|検索の言葉になりません")


def search_results(page, url: str) -> tuple[list[str], str]:
    """Every title /search/ lists for a URL, in order ("more" clicked until all are shown), and the status line."""
    page.goto(url)
    page.locator("#search-status").filter(has_text=SEARCH_DONE).wait_for()
    results = page.locator("#search-results .card-title")
    for _ in range(100):  # bounded: a "more" button that never hides is a bug, not a reason to hang
        if not page.locator("#search-more").is_visible():
            break
        before = results.count()
        page.click("#search-more")
        until(page, lambda shown=before: results.count() > shown or not page.locator("#search-more").is_visible())
    return results.all_inner_texts(), page.inner_text("#search-status")


def until(page, condition, seconds: float = 120) -> bool:
    """Wait for a condition the test sees from outside the page (requests made, the host's log), polling while the
    page runs; False when the time is up (the caller's assertion names what never came). Generous: a loaded
    2-core machine may take long, and a condition met early returns at once."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(25)
    return True


def build_at_epoch(data: Path, out: Path, epoch: int, today: dt.date = TODAY) -> None:
    """Build as CI would at a given commit time (SOURCE_DATE_EPOCH), so tests can order builds."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        build(Config(data_dir=data, out_dir=out, today=today))
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH") if old is None else os.environ.update(SOURCE_DATE_EPOCH=old)
