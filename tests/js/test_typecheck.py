"""`// @ts-check` in every browser module, and tsc --noEmit over them with their JSDoc types (pages and worker apart:
the DOM's types and the service worker's do not mix)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import tools
from tools import ROOT

from tsunagu.web import SCRIPTS, STATIC_DIR

CONFIGS = ("tests/js/tsconfig.pages.json", "tests/js/tsconfig.worker.json")


def tsc(config: str, cwd=ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tools.node(), str(tools.typescript()), "--noEmit", "-p", config],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("config", CONFIGS)
def test_tsc_finds_no_type_error(config):
    done = tsc(config)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_module_is_type_checked():
    listed = set()
    for config in CONFIGS:
        text = (ROOT / config).read_text(encoding="utf-8")
        listed |= {name for name in SCRIPTS if f'/static/{name}"' in text}
    imported = set()
    for name in SCRIPTS:
        imported |= set(re.findall(r'from "\./([\w-]+\.js)"', (STATIC_DIR / name).read_text(encoding="utf-8")))
    assert set(SCRIPTS) <= listed | imported, "a browser module that tsc never reads"


@pytest.mark.slow
def test_tsc_can_fail(tmp_path):
    """The check is real: a wrong type in a copy of a module is reported with its file and line."""
    static = tmp_path / "tsunagu" / "web" / "static"
    shutil.copytree(STATIC_DIR, static)
    (tmp_path / "tests" / "js").mkdir(parents=True)
    shutil.copy(ROOT / CONFIGS[0], tmp_path / CONFIGS[0])
    text = (static / "tokens.js").read_text(encoding="utf-8")
    (static / "tokens.js").write_text(
        text.replace('return folded.replace(DROP, "");', "return folded.length;"), encoding="utf-8"
    )
    done = tsc(CONFIGS[0], cwd=tmp_path)
    assert done.returncode != 0 and "tsunagu/web/static/tokens.js(" in done.stdout and "error TS" in done.stdout, (
        done.stdout
    )
