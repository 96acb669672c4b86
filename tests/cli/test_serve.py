"""`python build.py serve`: builds, serves on 127.0.0.1, rebuilds when the data changes."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from tools import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as res:
            return res.read()
    except OSError:
        return None


def _wait(predicate, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_serve_builds_serves_and_rebuilds_on_change(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "site"),
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        first = json.loads(_wait(lambda: _get(base + "keys.json")))["root"]
        assert b"boot.js" in _get(base + "providers/")  # a stub, the page itself is encrypted
        assert len(_get(base + first)) > 0  # the encrypted root manifest
        time.sleep(1.0)  # let the watcher start
        note = data / "notices" / "2026-11-05-kenshukai.md"
        note.write_text(note.read_text(encoding="utf-8") + "\n追記しました。\n", encoding="utf-8")
        _wait(lambda: json.loads(_get(base + "keys.json") or b'{"root": ""}')["root"] not in ("", first))
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0].decode()
    assert f"http://127.0.0.1:{port}/ を開いてください。パスワード: tsunagu-demo" in out


@pytest.mark.slow
def test_serve_with_a_passwords_file_previews_the_real_passwords_and_every_rebuild_moves_forward(tmp_path):
    from cryptography.exceptions import InvalidTag

    from tsunagu.seal.keys import unwrap

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    password = "ひまわり かたつむり えんぴつ ろうそく はくしゅ みずうみ"
    (tmp_path / "passwords.yaml").write_text(f'caremanagers: "{password}"\n', encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "site"),
            "--port",
            str(port),
            "--passwords-file",
            "passwords.yaml",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        first = json.loads(keys := _wait(lambda: _get(base + "keys.json")))
        assert len(unwrap(keys, password)) == 32
        with pytest.raises(InvalidTag):
            unwrap(keys, "tsunagu-demo")
        time.sleep(1.0)  # let the watcher start
        note = data / "notices" / "2026-11-05-kenshukai.md"
        note.write_text(note.read_text(encoding="utf-8") + "\n追記しました。\n", encoding="utf-8")
        second = _wait(
            lambda: (
                (d := json.loads(_get(base + "keys.json") or b'{"root": ""}'))["root"] not in ("", first["root"]) and d
            )
        )
        assert second["epoch"] > first["epoch"], "an edit is a new version to the browser, never the same epoch"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_a_port_in_use_is_a_message_not_a_traceback_and_nothing_is_built(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                str(ROOT / "build.py"),
                "serve",
                "--data",
                str(ROOT / "data"),
                "--out",
                str(tmp_path / "site"),
                "--port",
                str(port),
                "--no-watch",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert f"127.0.0.1:{port} で待ち受けできません" in done.stderr + done.stdout
    assert f"--port {port + 1}" in done.stderr + done.stdout
    assert not (tmp_path / "site").exists()
