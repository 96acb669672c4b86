"""Local preview: build, serve site/ on 127.0.0.1, rebuild when data or templates change."""

from __future__ import annotations

import functools
import http.server
import io
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from tsunagu.domain.config import DEMO_PASSWORD, Config, today_jst
from tsunagu.domain.errors import TsunaguError
from tsunagu.pipeline.builder import build
from tsunagu.web import STATIC_DIR, template_dirs

_BUILD_LOCK = threading.Lock()  # the watcher and the relay may both ask for a rebuild


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".enc": "application/octet-stream",
        ".pagefind": "application/octet-stream",
    }

    relay = None  # a LocalRelay with serve --relay: /api/update and /api/receipt/<id>

    def _api(self, status: int, payload: dict[str, Any]):
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - the base class's naming
        if self.relay is None or self.path != "/api/update":
            return self._api(405 if self.path.startswith("/api/") else 404, {"error": "method"})
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 64 * 1024))
        own = f"http://{self.headers.get('Host', '')}"
        self._api(*self.relay.post(body, self.headers.get("Origin"), own, self.client_address[0]))

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        if self.path.startswith("/api/"):
            match = re.fullmatch(r"/api/receipt/([0-9A-Z-]{14})", self.path)
            if self.relay is None or not match:  # a GET of /api/update changes nothing
                return self._api(405 if self.path == "/api/update" else 404, {"error": "method"})
            return self._api(*self.relay.outcome(match[1]))
        super().do_GET()

    def send_head(self):
        # Rebuilds can land within one second, the resolution of Last-Modified: always send the file.
        del self.headers["If-Modified-Since"]
        path = Path(self.translate_path(self.path))
        fallback = Path(self.directory, "404.html")
        if not path.exists() and fallback.is_file():
            # Like GitHub Pages, Cloudflare Pages and Netlify: a missing path gets 404.html.
            return self._send_bytes(404, fallback.read_bytes(), "text/html; charset=utf-8")
        match = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
        if match and path.is_file():
            data = path.read_bytes()
            start, end = int(match[1]), min(int(match[2]), len(data) - 1)
            if start <= end:
                return self._send_bytes(
                    206,
                    data[start : end + 1],
                    self.guess_type(str(path)),
                    {"Content-Range": f"bytes {start}-{end}/{len(data)}"},
                )
        return super().send_head()

    def _send_bytes(self, status: int, data: bytes, ctype: str, extra: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        return io.BytesIO(data)

    def end_headers(self) -> None:
        # What a static host should also send; the pages carry the same policy as <meta>.
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base class
        pass


def _rebuild(config: Config, console: Console) -> None:
    config.today = today_jst()
    # A preview's epoch is the moment it is built: an edit not yet committed must not look like
    # another build of the same version to the browser (which refuses that).
    # Strictly increasing even for two rebuilds within one second.
    config.epoch = max(int(time.time()), (config.epoch or 0) + 1)
    try:
        with _BUILD_LOCK:
            report = build(config)
        console.print(f"[green]ビルドしました[/] ({sum(report.seconds.values()):.1f} 秒)")
    except TsunaguError as exc:
        console.print(f"[red]ビルドできませんでした[/]（前回のサイトを表示し続けます）:\n{exc}", markup=True)


def _watch(config: Config, console: Console) -> None:
    from watchfiles import watch

    paths = [
        p
        for p in (str(config.data_dir), *template_dirs(config.templates_dir), str(config.static_dir or STATIC_DIR))
        if Path(p).exists()
    ]
    for _changes in watch(*paths):
        _rebuild(config, console)


def serve(config: Config, port: int, *, watch: bool, console: Console, relay: bool = False) -> None:
    """Serve until interrupted; with relay, the update page's submissions are applied to the data's git repository."""
    handler_class: type[_Handler] = _Handler
    if relay:
        from tsunagu.contribute.links import note_tokens
        from tsunagu.contribute.relay.local import LocalRelay

        local = LocalRelay(config.data_dir, lambda: _rebuild(config, console))
        config.seal_key = local.public_key
        config.note_token = note_tokens(local.link_key)
        handler_class = type("_RelayHandler", (_Handler,), {"relay": local})
        console.print(
            "更新リンクの送信をこの端末で受け付けます（/api/update）。リンクは python build.py links で作れます。",
            markup=False,
        )
    handler = functools.partial(handler_class, directory=str(config.out_dir))
    try:  # before the build: a port in use is said at once, not after it
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise TsunaguError(
            f"127.0.0.1:{port} で待ち受けできません（{exc.strerror}）。"
            f"別のポートを --port で指定してください（例: --port {port + 1}）。"
        ) from None
    _rebuild(config, console)
    if watch:
        threading.Thread(target=_watch, args=(config, console), daemon=True).start()
    password = "（設定したパスワード）" if config.passwords else DEMO_PASSWORD
    console.print(f"http://127.0.0.1:{port}/ を開いてください。パスワード: {password}  （終了: Ctrl+C）", markup=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
