"""The minimal peer: what a careful person would hand-make for the same job with no project code at all.

YAML read with PyYAML's C loader, one page per record from a plain one-table Jinja template, the
Pagefind CLI over the pages, staticrypt (npm) over the whole folder. Nothing is validated, nothing
is packed: the floor that tsunagu's build is compared with (issue 23: ours ≤ 0.6× this).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import jinja2
import yaml

PAGE = jinja2.Template(
    """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>{{ r.name }}</title></head>
<body><h1>{{ r.name }}</h1>
<table>
{% for key, value in rows %}<tr><th>{{ key }}</th><td>{{ value }}</td></tr>
{% endfor %}</table></body></html>
""",
    autoescape=True,
)
INDEX = jinja2.Template(
    """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>一覧</title></head>
<body><h1>一覧</h1><ul>{% for path, name in pages %}<li><a href="{{ path }}">{{ name }}</a></li>{% endfor %}</ul></body></html>
""",
    autoescape=True,
)


def _rows(record: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Every field as (label, text), nested ones flattened: status.new_clients and the like."""
    rows: list[tuple[str, str]] = []
    for key, value in record.items():
        if isinstance(value, dict):
            rows += _rows(value, f"{prefix}{key}.")
        else:
            rows.append((prefix + key, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))
    return rows


class Laps(dict):
    """Seconds per stage, each stage timed from the end of the one before (both peers' stopwatch)."""

    def __init__(self) -> None:
        super().__init__()
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self[name], self.last = now - self.last, now


def run(data: Path, out: Path, password: str, staticrypt: list[str] | None, pagefind: str) -> dict:
    """Render, index and encrypt; returns the stage times, files and bytes."""
    laps = Laps()
    lap = laps.lap

    plain = out.parent / (out.name + "-plain")
    shutil.rmtree(plain, ignore_errors=True)
    (plain / "r").mkdir(parents=True)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    pages = []
    for folder in ("providers", "physicians"):
        for file in sorted((data / folder).glob("*.yaml")):
            record = yaml.load(file.read_text(encoding="utf-8"), Loader=loader)
            path = f"r/{file.stem}.html"
            (plain / path).write_text(PAGE.render(r=record, rows=_rows(record)), encoding="utf-8")
            pages.append((path, record.get("name", file.stem)))
    (plain / "index.html").write_text(INDEX.render(pages=pages), encoding="utf-8")
    lap("render")
    subprocess.run(
        [pagefind, "--site", str(plain), "--output-subdir", "pagefind", "--silent"], check=True, capture_output=True
    )
    lap("pagefind")
    shutil.rmtree(out, ignore_errors=True)
    if staticrypt is None:
        raise SystemExit("the minimal peer needs staticrypt (npm install staticrypt@3): none installed")
    encrypt_folder(staticrypt, plain, out, password)
    lap("encrypt")  # staticrypt encrypts the HTML and copies the rest (Pagefind's index, in the clear) along
    return summary(laps, plain, out, "staticrypt -r (npm)")


def encrypt_folder(staticrypt: list[str], plain: Path, out: Path, password: str) -> None:
    """staticrypt -r over the whole folder, as its README shows for a static site."""
    subprocess.run(
        [
            *staticrypt,
            str(plain),
            "-r",
            "-d",
            str(out),
            "-p",
            password,
            "--short",
            "-c",
            "false",
            "--remember",
            "false",
        ],
        check=True,
        capture_output=True,
        cwd=out.parent,
    )


def summary(laps: dict, plain: Path, out: Path, how: str) -> dict:
    """Files and bytes of the output (the plain folder is measured, then removed)."""
    files = [p for p in out.rglob("*") if p.is_file()]
    plain_bytes = sum(p.stat().st_size for p in plain.rglob("*") if p.is_file())
    shutil.rmtree(plain, ignore_errors=True)
    return {
        "stages": laps,
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "plaintext": plain_bytes,
        "encryption": how,
    }
