"""The habits the project keeps: ruff (pyflakes, pycodestyle, isort, bugbear, pyupgrade, complexity) and mypy clean."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tools import ROOT


def test_ruff_clean():
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "tsunagu", "tests", "bench", "scripts", "build.py", "setup.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.slow
def test_mypy_clean():
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_modules_stay_small():
    big = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "tsunagu").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300
    }
    assert not big, f"modules over 300 lines (split them): {big}"
