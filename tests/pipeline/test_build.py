"""The whole build: a small fixture tree end to end, the demo data scanned for leaks, failed builds."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import unicodedata
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import (
    DEMO_DATA,
    REPO_DIR,
    STRONG,
    TODAY,
    active_content,
    elements,
    fast_config,
    load_directory,
    make_tree,
    read_tree,
)

from tsunagu.domain.config import DEMO_PASSWORD, Config
from tsunagu.domain.errors import DataError, PasswordError
from tsunagu.domain.models import Physician, Provider
from tsunagu.pipeline.builder import build
from tsunagu.publish.shell import FALLBACK_SCRIPT
from tsunagu.render.pages import render_site
from tsunagu.seal import wire
from tsunagu.seal.reader import decrypt_site
from tsunagu.search.index import without_index_block

PAGEFIND_DATA = re.compile(r"(\.pf_index|\.pf_fragment|\.pf_meta|\.pf_filter|pagefind-entry\.json)$")


def decrypt_all(files: dict[str, bytes], password: str) -> dict[str, bytes]:
    return decrypt_site(files, password)


# --- the demo data, built as a person would: `python build.py build`, no passwords ---------------


REGION2_DATA = REPO_DIR / "tests" / "fixtures" / "region2" / "data"  # another region, other names and words


def cli_build(root: Path, data: Path) -> dict:
    """`python build.py build` over a data folder, no passwords, as a person would run it."""
    env = {k: v for k, v in os.environ.items() if k != "TSUNAGU_PASSWORDS"}
    run = subprocess.run(
        [
            sys.executable,
            str(REPO_DIR / "build.py"),
            "build",
            "--data",
            str(data),
            "--out",
            "site",
            "--today",
            TODAY.isoformat(),
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return {
        "root": root,
        "files": read_tree(root / "site"),
        "stderr": run.stderr,
        "names": [p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*")],
    }


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory):
    return cli_build(tmp_path_factory.mktemp("demo"), DEMO_DATA)


@pytest.fixture(scope="module", params=[DEMO_DATA, REGION2_DATA], ids=["demo", "region2"])
def scanned(request, tmp_path_factory):
    """The demo and a second region: the scan must hold for data that is not the demo's."""
    if request.param == DEMO_DATA:
        return request.getfixturevalue("demo_build") | {"data": DEMO_DATA}
    return cli_build(tmp_path_factory.mktemp("region2"), REGION2_DATA) | {"data": REGION2_DATA}


_HALF = {}
for _code in range(0xFF61, 0xFFA0):
    _HALF.setdefault(unicodedata.normalize("NFKC", chr(_code)), chr(_code))
    for _mark in ("\uff9e", "\uff9f"):
        _composed = unicodedata.normalize("NFKC", chr(_code) + _mark)
        if len(_composed) == 1:
            _HALF.setdefault(_composed, chr(_code) + _mark)


def variants(text: str) -> set[str]:
    """The forms a string may take in an output: as written, NFKC, half-width, full-width, no hyphens."""
    nfkc = unicodedata.normalize("NFKC", text)
    half = "".join(_HALF.get(c, c) for c in nfkc)
    full = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in nfkc)
    out = {text, nfkc, half, full}
    if re.fullmatch(r"[\d-]+", nfkc):
        out.add(nfkc.replace("-", ""))
    return {v for v in out if v.strip()}


def encodings(text: str) -> set[bytes]:
    """Byte forms of a string: UTF-8, UTF-16 (both orders), JSON \\uXXXX escapes, HTML entities, URL escapes."""
    forms = {text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be"), quote(text).encode()}
    if any(ord(c) > 127 for c in text):
        escaped = json.dumps(text)[1:-1]
        forms |= {escaped.encode(), escaped.lower().encode(), escaped.upper().replace("\\U", "\\u").encode()}
        forms.add("".join(f"&#{ord(c)};" for c in text).encode())
        forms.add("".join(f"&#x{ord(c):x};" for c in text).encode())
    return forms


def distinctive_strings(data: Path = DEMO_DATA) -> set[str]:
    """Every record's name, reading, address, numbers, clinic, contact person and note lines."""
    directory = load_directory(data)
    found: set[str] = set()
    for r in directory.providers + directory.physicians:
        fields = [r.name, r.name_kana, r.address, r.phone, r.fax]
        notes = [r.notes]
        if isinstance(r, Provider):
            fields += [r.email]
            notes += [r.status.conditions]
        if isinstance(r, Physician):
            fields += [r.clinic, r.clinic_kana, r.contact.via]
            notes += [r.contact.notes]
        found |= {f for f in fields if f}
        for note in filter(None, notes):
            for line in note.splitlines():
                line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line).strip()
                if len(line) > 5:
                    found.add(line)
    for notice in directory.notices:
        found.add(notice.meta.title)
    return found


@pytest.mark.slow
def test_whole_output_holds_no_directory_content(scanned):
    secrets = distinctive_strings(scanned["data"])
    assert len(secrets) > 150
    needles = {form: secret for secret in secrets for v in variants(secret) for form in encodings(v)}
    needles = {n: s for n, s in needles.items() if len(n) >= 6}
    leaks = []
    for path, data in scanned["files"].items():
        blobs = [data]
        if data[:2] == b"\x1f\x8b":
            blobs.append(gzip.decompress(data))
        try:
            blobs.append(zlib.decompress(data))
        except zlib.error:
            pass
        for blob in blobs:
            # Every 6-byte window of the file first (fast), then the full needle where a window matches.
            windows = {blob[i : i + 6] for i in range(len(blob) - 5)}
            leaks += [(path, secret) for needle, secret in needles.items() if needle[:6] in windows and needle in blob]
    assert leaks == []
    for name in scanned["names"]:
        for secret in secrets:
            for v in variants(secret):
                assert v not in name and quote(v) not in name, f"{name} holds {secret}"


@pytest.mark.slow
def test_scan_would_see_a_leak(scanned):
    # The scan's own check: the same strings are all there once decrypted.
    plain = decrypt_all(scanned["files"], DEMO_PASSWORD)
    text = b"".join(plain.values())
    missing = [s for s in distinctive_strings(scanned["data"]) if not any(f in text for f in encodings(s))]
    assert missing == []


def test_pagefind_index_is_only_encrypted(demo_build):
    names = demo_build["names"]
    logical = decrypt_all(demo_build["files"], DEMO_PASSWORD)
    kinds = {m.group(1) for n in logical if (m := PAGEFIND_DATA.search(n))}
    assert kinds == {".pf_index", ".pf_fragment", ".pf_meta", ".pf_filter", "pagefind-entry.json"}
    plaintext = [n for n in names if PAGEFIND_DATA.search(n)]
    assert plaintext == []
    public = sorted(n for n in names if n.startswith("pagefind/") and (Path(demo_build["root"], "site", n).is_file()))
    assert public == ["pagefind/pagefind-worker.js", "pagefind/pagefind.js", "pagefind/wasm.unknown.pagefind"]


def test_decrypted_pagefind_files_are_what_pagefind_reads(demo_build):
    plain = decrypt_all(demo_build["files"], DEMO_PASSWORD)
    entry = json.loads(plain["pagefind/pagefind-entry.json"])
    # One index for every record, in no language: it holds n-gram tokens, not words (see index.py).
    assert list(entry["languages"]) == ["zz"]
    assert entry["languages"]["zz"]["page_count"] == sum(p.startswith("r/") for p in plain if p.endswith(".html"))
    fragments = [p for p in plain if p.endswith(".pf_fragment")]
    assert len(fragments) == sum(p.startswith("r/") and p.endswith(".html") for p in plain)
    # Pagefind's plain bytes, after its signature (its runtime takes them as they are; they are sealed deflated
    # against the dictionary instead of gzipped).
    assert all(plain[p].startswith(b"pagefind_dcd{") for p in fragments)


def test_demo_build_warns_and_shows_the_banner_everywhere(demo_build):
    stderr = demo_build["stderr"]
    assert "警告: パスワードが指定されていないため、デモ用のビルドです（パスワード: tsunagu-demo）。" in stderr
    demo = load_directory(DEMO_DATA)
    plain = decrypt_all(demo_build["files"], DEMO_PASSWORD)
    pages = [p for p in plain if p.endswith(".html")]
    assert (
        f"完了: 事業所 {len(demo.providers)} 件・医師 {len(demo.physicians)} 名、{len(pages)} ページを暗号化して"
        in stderr
    )
    assert len(pages) == len(demo.providers) + len(demo.physicians) + len(demo.site.areas) + 9
    for path in pages:
        assert '<p class="demo-banner">デモ' in plain[path].decode(), path
    assert "デモ — 架空のデータです" in demo_build["files"]["unlock/index.html"].decode()


def test_demo_build_uses_production_key_derivation(demo_build):
    keys = json.loads(demo_build["files"]["keys.json"])
    assert keys["kdf"] == "PBKDF2-SHA256"
    assert keys["iterations"] == 600_000 and len(keys["slots"]) == 1
    assert Config().iterations >= 600_000


@pytest.mark.slow
def test_public_files_load_nothing_from_other_origins(demo_build):
    for path, data in demo_build["files"].items():
        if path.startswith(("p/", "pagefind/")):
            continue
        if path.endswith((".html", ".js", ".css", ".json")):
            assert not re.search(rb"https?://", data), path
        if path == "404.html":  # its one inline script, allowed by hash and by nothing else
            assert data.count(b"<script") == 1 and f"<script>{FALLBACK_SCRIPT}</script>".encode() in data
            assert b"script-src 'sha256-" in data and b"'unsafe-inline'" not in data
        elif path.endswith(".html"):
            assert active_content(data, allowed_scripts=("boot.js", "unlock.js", "update.js")) == [], path
            assert b'<html lang="ja">' in data, path
    for path, data in decrypt_all(demo_build["files"], DEMO_PASSWORD).items():
        if path.endswith(".html"):
            for tag, attrs in elements(data):
                if tag in ("script", "link", "img", "iframe", "source"):
                    assert not re.match(r"\s*(https?:)?//", attrs.get("src", "") + attrs.get("href", "")), path


# --- a small fixture tree, built with real passwords ---------------------------------------------


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("fixture")
    data = make_tree(root)
    config = fast_config(data, root / "site", passwords=dict(STRONG))
    report = build(config)
    return {"config": config, "report": report, "files": read_tree(root / "site"), "data": data}


def test_end_to_end_matches_the_rendered_pages(fixture_build):
    rendered = render_site(load_directory(fixture_build["data"]), fixture_build["config"])
    expected = {p: without_index_block(b) if p.startswith("r/") else b for p, b in rendered.items()}
    for password in STRONG.values():
        plain = decrypt_all(fixture_build["files"], password)
        # Besides, the dictionary record pages and rows are deflated against (render/sample.py).
        assert {p: b for p, b in plain.items() if not p.startswith("pagefind/") and p != wire.DICT_PATH} == expected
        assert any(p.endswith(".pf_fragment") for p in plain)
    report = fixture_build["report"]
    assert (report.providers, report.physicians, report.pages) == (3, 2, 17)
    assert report.files == len(fixture_build["files"])


def test_real_build_has_no_demo_banner(fixture_build):
    plain = decrypt_all(fixture_build["files"], STRONG["city"])
    assert not any(b"demo-banner" in b for b in plain.values())
    assert b"demo-banner" not in fixture_build["files"]["unlock/index.html"]
    assert DEMO_PASSWORD.encode() not in fixture_build["files"]["unlock/index.html"]


# --- failed builds leave the previous site as it was -----------------------------------------------


def _snapshot(root: Path) -> tuple[dict[str, bytes], list[str]]:
    return read_tree(root / "site"), sorted(p.name for p in root.iterdir())


def test_failed_build_leaves_site_untouched(tmp_path):
    data = make_tree(tmp_path)
    config = fast_config(data, tmp_path / "site", search=False)
    build(config)
    before = _snapshot(tmp_path)
    assert before[1] == ["data", "site"]
    sakura = data / "providers" / "day-sakura.yaml"
    sakura.write_text(sakura.read_text().replace("new_clients: accepting", "new_clients: yes"))
    with pytest.raises(DataError):
        build(config)
    assert _snapshot(tmp_path) == before
    sakura.write_text(sakura.read_text().replace("new_clients: yes", "new_clients: accepting"))
    with pytest.raises(PasswordError):
        build(fast_config(data, tmp_path / "site", search=False, passwords={"city": "password1234"}))
    assert _snapshot(tmp_path) == before


def test_failed_render_leaves_site_untouched(tmp_path, monkeypatch):
    data = make_tree(tmp_path)
    config = fast_config(data, tmp_path / "site", search=False)
    build(config)
    before = _snapshot(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("template bug")

    monkeypatch.setattr("tsunagu.pipeline.builder.shell_files", broken)
    with pytest.raises(RuntimeError):
        build(config)
    assert _snapshot(tmp_path) == before
