"""Installable for real: the sdist, built from outside the checkout, makes a wheel that builds the demo from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import DEMO_DATA, REPO_DIR

import tsunagu

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    # From another folder: the checkout's build.py would shadow the `build` module in its own folder.
    # Without isolation the build uses the locked setuptools and wheel of this environment (offline is fine);
    # `python -m build` makes the sdist first, then the wheel from the unpacked sdist, not from the checkout.
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO_DIR)],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (sdist,) = out.glob("tsunagu-*.tar.gz")
    (wheel,) = out.glob("tsunagu-*.whl")
    return {"sdist": sdist, "wheel": wheel}


def test_the_sdist_keeps_templates_at_the_top_level_and_no_copy(dists):
    names = {n.split("/", 1)[1] for n in tarfile.open(dists["sdist"]).getnames() if "/" in n}
    templates = {p.name for p in (REPO_DIR / "templates").iterdir()}
    assert {f"templates/{t}" for t in templates} <= names
    assert not [n for n in names if n.startswith("tsunagu/web/templates")], "templates are mapped, never copied"
    assert "setup.py" in names and "pyproject.toml" in names and "MANIFEST.in" in names


def test_wheel_from_the_sdist_ships_templates_static_files_and_every_subpackage(dists):
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    templates = {p.name for p in (REPO_DIR / "templates").iterdir()}
    assert {f"tsunagu/web/templates/{t}" for t in templates} <= names
    assert {f"tsunagu/web/static/{p.name}" for p in (REPO_DIR / "tsunagu/web/static").iterdir() if p.is_file()} <= names
    assert "tsunagu/search/vocabulary.yaml" in names and "tsunagu/seal/wordlists/eff_large_wordlist.txt" in names
    packages = {str(p.parent.relative_to(REPO_DIR)) for p in (REPO_DIR / "tsunagu").rglob("__init__.py")}
    assert packages and {f"{p}/__init__.py" for p in packages} <= names
    assert f"tsunagu-{tsunagu.__version__}.dist-info/entry_points.txt" in names
    # What `tsunagu init` gives a region: the top-level locks and the relay, by their links in tsunagu/region/files.
    wheel = zipfile.ZipFile(dists["wheel"])
    for inside, outside in (
        ("requirements.lock", "requirements.txt"),
        ("deploy/package-lock.json", ".github/deploy/package-lock.json"),
        ("relay/handler.mjs", "relay/handler.mjs"),
        ("relay/pages/functions/api/[[route]].js", "relay/pages/functions/api/[[route]].js"),
    ):
        assert wheel.read(f"tsunagu/region/files/{inside}") == (REPO_DIR / outside).read_bytes(), inside


def test_installed_wheel_builds_the_demo_from_another_folder(dists, tmp_path: Path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # The dependencies come from this environment (installed from the lock; no network needed), appended to the
    # new venv's path by a .pth file; tsunagu itself comes only from the wheel.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    here = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (Path(site) / "locked-dependencies.pth").write_text("\n".join(here) + "\n", encoding="utf-8")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(dists["wheel"])],
        check=True,
        capture_output=True,
    )
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import tsunagu; print(tsunagu.__file__)"],
        cwd=elsewhere,
        env=clean,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(env_dir)), f"tsunagu imported from {where}, not from the installed wheel"
    tsunagu_command = str(env_dir / "bin" / "tsunagu")
    version = subprocess.run([tsunagu_command, "--version"], cwd=elsewhere, env=clean, capture_output=True, text=True)
    assert version.stdout == f"tsunagu {tsunagu.__version__}\n"
    run = subprocess.run(
        [tsunagu_command, "build", "--data", str(DEMO_DATA), "--out", "site", "--no-search"],
        cwd=elsewhere,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert (elsewhere / "site" / "unlock" / "index.html").is_file()
    assert "完了" in run.stderr
