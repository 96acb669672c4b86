"""Bench steps, each run in a child process by benchmark.py so its time and memory are its own.

    steps.py build DATA OUT      tsunagu's build
    steps.py peer DATA OUT       the hand-made peer: Jinja render to disk + Pagefind CLI + staticrypt -r
    steps.py minimal DATA OUT    the minimal peer (bench/minimal.py): one-table pages, Pagefind CLI, staticrypt -r
    steps.py validate DATA       load and validate only
Each prints one JSON line with what it measured inside.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from minimal import Laps, encrypt_folder, summary  # bench/ is this script's folder, first on sys.path

TODAY = dt.date(2026, 11, 22)
PASSWORD = "ochre-violin-tundra-saffron-gully-pebble"  # six random words: passes the production check
BENCH_DIR = Path(__file__).resolve().parents[1] / "bench-out"


def step_build(data: Path, out: Path) -> dict:
    from tsunagu.domain.config import Config
    from tsunagu.pipeline.builder import build

    report = build(Config(data_dir=data, out_dir=out, today=TODAY, passwords={"bench": PASSWORD}))
    return {
        "stages": report.seconds,
        "files": report.files,
        "bytes": report.bytes,
        "plaintext": report.plaintext_bytes,
        "pages": report.pages,
    }


def step_validate(data: Path) -> dict:
    from tsunagu.data.load import load_tree
    from tsunagu.data.validate import validate_tree
    from tsunagu.domain.config import Config
    from tsunagu.pipeline.builder import worker_count

    started = time.perf_counter()
    workers = worker_count(Config(data_dir=data, today=TODAY))  # as many processes as a build's
    directory = validate_tree(load_tree(data, keep_going=True, workers=workers), TODAY)
    return {"seconds": time.perf_counter() - started, "records": len(directory.providers) + len(directory.physicians)}


def staticrypt() -> list[str] | None:
    """The staticrypt CLI from npm (installed under bench-out/ on first use), or None offline."""
    local = BENCH_DIR / "node_modules" / ".bin" / "staticrypt"
    if not local.exists() and shutil.which("npm"):
        BENCH_DIR.mkdir(exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(BENCH_DIR), "staticrypt@3"],
            capture_output=True,
            timeout=300,
            check=False,
        )
    return [str(local)] if local.exists() else None


def _aes_per_file(plain: Path, out: Path) -> str:
    """staticrypt's work where it cannot be installed: one PBKDF2, then AES-GCM per HTML file."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), b"bench-salt-0001", 600_000)
    for file in plain.rglob("*"):
        target = out / file.relative_to(plain)
        if file.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif file.suffix == ".html":
            nonce = os.urandom(12)
            blob = base64.b64encode(nonce + AESGCM(key).encrypt(nonce, file.read_bytes(), None)).decode()
            target.write_text(f'<!doctype html><html><body><script>const c="{blob}";</script></body></html>')
        else:
            shutil.copyfile(file, target)
    return "AES-GCM per file (Python; staticrypt not installable)"


def step_peer(data: Path, out: Path) -> dict:
    from pagefind.service import get_executable

    from tsunagu.data.load import load_tree
    from tsunagu.data.validate import validate_tree
    from tsunagu.domain.config import Config
    from tsunagu.pipeline.builder import worker_count
    from tsunagu.render.pages import render_site

    laps = Laps()
    lap = laps.lap

    config = Config(data_dir=data, out_dir=out, today=TODAY, passwords={"bench": PASSWORD}, path_key="bench")
    workers = worker_count(config)  # as many processes as a build's
    pages = render_site(validate_tree(load_tree(data, workers=workers), TODAY), config, workers=workers)
    plain = out.parent / (out.name + "-plain")
    shutil.rmtree(plain, ignore_errors=True)
    for path, body in pages.items():
        target = plain / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    lap("render")
    subprocess.run(
        [str(get_executable()), "--site", str(plain), "--output-subdir", "pagefind", "--silent"],
        check=True,
        capture_output=True,
    )
    lap("pagefind")
    shutil.rmtree(out, ignore_errors=True)
    tool = staticrypt()
    if tool:
        encrypt_folder(tool, plain, out, PASSWORD)
        how = "staticrypt -r (npm)"
    else:
        how = _aes_per_file(plain, out)
    lap("encrypt")
    return summary(laps, plain, out, how)


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "build":
        result = step_build(Path(args[0]), Path(args[1]))
    elif command == "peer":
        result = step_peer(Path(args[0]), Path(args[1]))
    elif command == "minimal":
        from minimal import run
        from pagefind.service import get_executable

        result = run(Path(args[0]), Path(args[1]), PASSWORD, staticrypt(), str(get_executable()))
    else:
        result = step_validate(Path(args[0]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
