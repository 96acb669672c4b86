"""The public shell's service worker: one module entry that changes whenever any browser module does."""

from __future__ import annotations

import shutil
from pathlib import Path

from tsunagu.publish.shell import service_worker
from tsunagu.web import ASSETS, SCRIPTS, STATIC_DIR, SW_ENTRY


def test_sw_js_imports_the_worker_module_from_assets():
    text = service_worker(STATIC_DIR).decode()
    assert text.splitlines()[-1] == f'import "./assets/{SW_ENTRY}";'
    assert SW_ENTRY in SCRIPTS and set(SCRIPTS) <= set(ASSETS)  # every module is published under assets/


def test_sw_js_changes_when_any_module_changes(tmp_path: Path):
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR, static)
    before = service_worker(static)
    assert service_worker(static) == before  # reproducible
    for name in ("sw-read.js", "wire.js", "seal.js"):
        (static / name).write_text((STATIC_DIR / name).read_text(encoding="utf-8") + "\n", encoding="utf-8")
        after = service_worker(static)
        assert after != before, f"{name} changed and sw.js did not: browsers would keep the old worker"
        before = after


def test_every_module_is_an_es_module_with_type_checks():
    for name in SCRIPTS:
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        lines = text.splitlines()
        assert "// @ts-check" in lines[:2], f"{name}: no // @ts-check"
        assert '"use strict"' not in text and "importScripts" not in text, f"{name}: a classic script"
        assert "window.tsunagu" not in text and 'localStorage.getItem("tsunagu:' not in text, f"{name}: a test hook"
