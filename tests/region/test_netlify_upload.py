"""The region's Netlify upload sends only what the host lacks (Netlify's file-digest deploy), against a local stand-in."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from tsunagu.region.pins import FILES

SCRIPT = FILES / "netlify_upload.py"


def site(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


class StandIn(http.server.BaseHTTPRequestHandler):
    """Netlify's deploy API as far as the script uses it: the host already has the digests in `have`."""

    have: set[str] = set()
    calls: list[tuple[str, str, bytes]] = []

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self._body()
        StandIn.calls.append(("POST", self.path, body))
        files = json.loads(body)["files"]
        self._json({"id": "d1", "required": sorted({d for d in files.values() if d not in StandIn.have})})

    def do_PUT(self):  # noqa: N802
        StandIn.calls.append(("PUT", self.path, self._body()))
        self._json({})

    def _json(self, doc):
        data = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002
        pass


def test_only_the_files_the_host_lacks_are_sent(tmp_path: Path):
    before = {"index.html": b"<html>1", "keys.json": b'{"epoch":1}', "p/aaaa.bin": b"pack a", "p/bbbb.bin": b"pack b"}
    after = {**before, "keys.json": b'{"epoch":2}', "p/cccc.bin": b"pack c"}
    del after["p/bbbb.bin"]
    old, new = site(tmp_path / "old", before), site(tmp_path / "new", after)
    StandIn.have = {hashlib.sha1(d).hexdigest() for d in before.values()}  # noqa: S324 - Netlify's digest
    StandIn.calls = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "NETLIFY_API": f"http://127.0.0.1:{server.server_address[1]}/api/v1",
        "NETLIFY_AUTH_TOKEN": "t",
        "NETLIFY_SITE_ID": "s",
    }
    try:
        done = subprocess.run(
            [sys.executable, str(SCRIPT), str(new)], env=env, capture_output=True, text=True, timeout=60, check=True
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.stdout.strip() == "sent 2 of 4 files; deploy d1"
    posted = json.loads(StandIn.calls[0][2])["files"]
    assert sorted(posted) == ["/index.html", "/keys.json", "/p/aaaa.bin", "/p/cccc.bin"]
    assert [(m, p, b) for m, p, b in StandIn.calls[1:]] == [
        ("PUT", "/api/v1/deploys/d1/files/keys.json", b'{"epoch":2}'),
        ("PUT", "/api/v1/deploys/d1/files/p/cccc.bin", b"pack c"),
    ]
    dry = subprocess.run(
        [sys.executable, str(SCRIPT), str(new), "--dry-run", "--previous", str(old)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert dry.stdout.strip() == "2 of 4 files to upload (0 KiB)"
