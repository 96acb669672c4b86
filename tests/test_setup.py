"""The set-up a new user follows: two README commands from hash-locked files, CI running exactly the second."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml
from tools import ROOT

import tsunagu

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def pins(name: str) -> dict[str, str]:
    """package -> version of a pip-compile lock, only where the pin carries at least one sha256 hash."""
    text = (ROOT / name).read_text(encoding="utf-8")
    return dict(re.findall(r"^([a-z0-9-]+)==(\S+) \\\n    --hash=sha256:[0-9a-f]{64}", text, re.M))


def names(requirements: list[str]) -> list[str]:
    """The normalised project names of PEP 508 requirements."""
    return [re.split(r"[<>=!~\[ ;]", r)[0].lower().replace(".", "-").replace("_", "-") for r in requirements]


def quick_start() -> list[str]:
    """The commands of the README's quick start, comments removed."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("   #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_runtime_lock_covers_the_runtime_dependencies_with_hashes():
    runtime = pins("requirements.txt")
    assert [n for n in names(PYPROJECT["project"]["dependencies"]) if n not in runtime] == []
    assert not {"pytest", "playwright", "ruff", "setuptools"} & set(runtime), "the demo needs only the runtime"


def test_the_test_lock_covers_runtime_test_and_build_tools_and_agrees_with_the_runtime_lock():
    runtime, test = pins("requirements.txt"), pins("requirements-test.txt")
    wanted = names(PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"])
    assert [n for n in wanted if n not in test] == []
    assert {k: (v, test.get(k)) for k, v in runtime.items() if test.get(k) != v} == {}, "one version per package"
    # A fresh venv has setuptools 65 and no wheel: the build tools come from the lock, at the build's own floor.
    floor = re.fullmatch(r"setuptools>=(\d+)", PYPROJECT["build-system"]["requires"][0])
    assert floor and int(test["setuptools"].split(".")[0]) >= int(floor.group(1)) and "wheel" in test
    assert "ruff" in test and "mypy" in test


def test_the_quick_start_installs_from_the_locks_only():
    demo, tests = quick_start()
    assert demo.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert demo.endswith("&& pip install --require-hashes -r requirements.txt && python build.py serve")
    assert (
        tests == ". .venv/bin/activate && pip install --require-hashes -r requirements-test.txt && python -m pytest -q"
    )
    for command in (demo, tests):
        installs = re.findall(r"pip install [^&]*", command)
        assert installs and all("--require-hashes -r requirements" in i for i in installs), command


def test_ci_runs_exactly_the_readme_test_command():
    lines = [
        line
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    readme_tests = quick_start()[1]
    assert lines[-1] == readme_tests.replace("pip install ", "pip install -q ", 1)


def test_a_workflow_runs_the_test_command_on_pull_requests():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # PyYAML reads the key `on` as True
    runs = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(r.strip().endswith(".ci/run") for r in runs)


def test_the_readme_command_table_is_generated_from_the_cli(tmp_path):
    check = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, "the README's command table is stale: run  cog -r README.md\n" + check.stdout
    table = README.split("<!-- [[[end]]] -->", 1)[0].rsplit("]]] -->", 1)[1]
    build_row = next(row for row in table.splitlines() if row.startswith("| `python build.py build "))
    assert all(option in build_row for option in ("--no-search", "--format", "--today", "--passwords-file"))
    # And it can fail: a table missing a row is stale.
    stale = tmp_path / "README.md"
    stale.write_text(README.replace(build_row + "\n", ""), encoding="utf-8")
    assert (
        subprocess.run(
            [sys.executable, "-m", "cogapp", "--check", str(stale)], cwd=ROOT, capture_output=True
        ).returncode
        != 0
    )


def test_version_from_one_place():
    """`python build.py --version` here; `tsunagu --version` from the installed wheel in test_package.py."""
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "tsunagu.__version__"}
    run = subprocess.run([sys.executable, "build.py", "--version"], cwd=ROOT, capture_output=True, text=True)
    assert (run.returncode, run.stdout) == (0, f"tsunagu {tsunagu.__version__}\n")
