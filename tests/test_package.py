"""Installable for real: a wheel built from this checkout, installed in a clean venv, builds the demo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import DEMO_DATA, REPO_DIR


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of what a source distribution holds, so the build leaves nothing (build/) in the checkout.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(REPO_DIR / name, source / name)
    for name in ("tsunagu", "templates"):
        shutil.copytree(REPO_DIR / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    # No build isolation: the build needs only setuptools, which is here; CI machines may be offline.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(source)], check=True, capture_output=True, cwd=out)
    (found,) = out.glob("tsunagu-*.whl")
    return found


def test_wheel_ships_templates_static_files_and_every_subpackage(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (REPO_DIR / "templates").iterdir()}
    assert {f"tsunagu/web/templates/{t}" for t in templates} <= names
    assert {f"tsunagu/web/static/{p.name}" for p in (REPO_DIR / "tsunagu/web/static").iterdir()} <= names
    assert "tsunagu/search/vocabulary.yaml" in names  # search's shipped vocabulary
    assert "tsunagu/seal/wordlists/eff_large_wordlist.txt" in names  # passwords new
    for package in ("domain", "yamlio", "data", "render", "search", "seal", "publish", "pipeline", "contribute",
                    "importers/mhlw", "cli", "web"):
        assert f"tsunagu/{package}/__init__.py" in names, package


def test_installed_wheel_builds_the_demo_from_another_folder(wheel: Path, tmp_path: Path):
    env_dir = tmp_path / "venv"
    # The venv sees this machine's dependencies (no network needed) but gets tsunagu only from the wheel.
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # nothing but the wheel provides tsunagu
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--force-reinstall",
                    str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import tsunagu; print(tsunagu.__file__)"], cwd=elsewhere,
                           env=clean, check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(env_dir)), f"tsunagu imported from {where}, not from the installed wheel"
    run = subprocess.run([str(env_dir / "bin" / "tsunagu"), "build", "--data", str(DEMO_DATA), "--out", "site",
                          "--no-search"], cwd=elsewhere, env=clean, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (elsewhere / "site" / "unlock" / "index.html").is_file()
    assert "完了" in run.stderr
