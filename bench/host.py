"""A static host for the client benchmark: gzip for text, ETag revalidation, and an optional slow network.

The slow network is applied by the server to every response: Chrome's own throttling (CDP
Network.emulateNetworkConditions on the page) does not reach the service worker's fetches.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tsunagu.cli.serve import _Handler


@dataclass(frozen=True)
class Network:
    """Latency added to each response and a download rate shared by all connections."""

    name: str
    latency: float  # seconds
    down: float  # bytes per second


SLOW_4G = Network("Chrome DevTools 'Slow 4G' (562.5 ms latency, 1.44 Mbit/s down)", 0.5625, 1.44e6 / 8)
TEXT = (".html", ".css", ".js", ".json", ".csv", ".webmanifest", ".svg")


class Host:
    """Serves a folder on 127.0.0.1 as a static host would; counts the bytes of every response body."""

    def __init__(self, folder: Path, network: Network | None = None, cache: str = "no-cache"):
        host = self
        self.network = network
        self.cache = cache  # Cache-Control of every response
        self.sent: list[tuple[str, int]] = []
        self.detail: list[tuple[str, str | None, int]] = []  # (path, Range header or None, body bytes) of each
        self.ahead: list[int] = []  # bytes fetched while a page was on screen, before the next view
        self._lock = threading.Lock()
        self._free_at = 0.0  # when the shared downlink is next free

        class Handler(_Handler):
            def send_head(self):
                if host.network:
                    time.sleep(host.network.latency)
                path = Path(self.translate_path(self.path))
                if path.is_dir():
                    path = path / "index.html"
                if "Range" in self.headers or not path.is_file():
                    return super().send_head()
                data = path.read_bytes()
                tag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.end_headers()
                    return None
                extra = {"ETag": tag}
                if path.suffix in TEXT and "gzip" in self.headers.get("Accept-Encoding", ""):
                    data = gzip.compress(data, 6, mtime=0)
                    extra["Content-Encoding"] = "gzip"
                return self._send_bytes(200, data, self.guess_type(str(path)), extra)

            def end_headers(self) -> None:
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("Cache-Control", host.cache)
                http.server.BaseHTTPRequestHandler.end_headers(self)

            def copyfile(self, source, outputfile) -> None:
                data = source.read()
                host.sent.append((self.path, len(data)))
                host.detail.append((self.path, self.headers.get("Range"), len(data)))
                try:
                    for at in range(0, len(data), 4096):
                        host.wait_for_link(min(4096, len(data) - at))
                        outputfile.write(data[at : at + 4096])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the browser moved on (a navigation cancels what the last page still loaded)

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for_link(self, size: int) -> None:
        """Hold a chunk until the shared downlink has carried it (first come, first served)."""
        if not self.network:
            return
        with self._lock:
            start = max(time.monotonic(), self._free_at)
            self._free_at = start + size / self.network.down
            done = self._free_at
        time.sleep(max(0.0, done - time.monotonic()))

    def clear(self) -> None:
        """Forget what was sent so far (the next measurement starts)."""
        self.sent.clear()
        self.detail.clear()

    def bytes_sent(self, icons: bool = True) -> int:
        """Response bodies sent so far; without icons, which Chromium fetches itself when it likes (both sites alike)."""
        return sum(n for path, n in self.sent if icons or not path.startswith(("/assets/icon-", "/assets/favicon")))

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
