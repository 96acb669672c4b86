"""A corpus of hostile data files (tests/hostile/): each refused with its exact errors, fast, never a traceback."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time

import pytest
from conftest import PROVIDER_X, TODAY, problems, write
from gitflow import FIXTURE, copy_data, render_body
from tools import ROOT

from tsunagu.cli import cli
from tsunagu.domain.errors import DataError

CORPUS = ROOT / "tests" / "hostile"
EXPECTED: dict[str, list[str]] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
RAW = "\x00\x07\x1b\x9b\u202e\u2066\u200f\u2028\ufeff"  # none of these may reach a terminal


def ours(lines: list[str]) -> list[str]:
    """The product's part of each message: file, line, field and the refusal, not the YAML parser's own words
    (which change between PyYAML and libyaml releases), shown as "not valid YAML: …"."""
    return [re.sub(r"(: not valid YAML: ).+$", r"\1…", line) for line in lines]


def test_every_corpus_file_has_its_expected_errors():
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_is_refused_with_its_exact_errors(data_dir, name):
    shutil.copy(CORPUS / name, data_dir / "providers" / name)
    start = time.perf_counter()
    found = problems(data_dir)
    took = time.perf_counter() - start
    assert ours(found) == EXPECTED[name]
    assert took < 2, f"{name}: took {took:.1f} s"
    for line in found:
        assert line.startswith(f"data/providers/{name}"), line
        assert not any(c in line for c in RAW), line


@pytest.mark.parametrize("name", sorted(n for n, errors in EXPECTED.items() if errors))
def test_validate_command_prints_the_errors_cleanly(data_dir, name, capsys, monkeypatch):
    from tsunagu.cli import main

    shutil.copy(CORPUS / name, data_dir / "providers" / name)
    monkeypatch.setattr(sys, "argv", ["build.py", "validate", "--today", TODAY.isoformat()])
    with pytest.raises(SystemExit) as info:
        main()  # anything but a TsunaguError would escape as a traceback and fail here
    out, err = capsys.readouterr()
    assert info.value.code == 1
    assert ours(err.splitlines()[:-1]) == EXPECTED[name]
    assert not any(c in out + err for c in RAW)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["alias-bomb.yaml", "deep-flow.yaml", "huge-integer.yaml", "nul.yaml"])
def test_validate_in_a_fresh_process_prints_no_traceback(data_dir, name):
    from conftest import REPO_DIR

    shutil.copy(CORPUS / name, data_dir / "providers" / name)
    run = subprocess.run(
        [sys.executable, str(REPO_DIR / "build.py"), "validate", "--data", "data", "--today", TODAY.isoformat()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert ours(run.stderr.splitlines()[:1]) == EXPECTED[name][:1]


# --- a 5,000-digit integer in every command that reads records ----------------------------------------

HUGE = "9" * 5000


def test_huge_integer_in_build(data_dir, tmp_path):
    write(data_dir / "providers" / "day-x.yaml", PROVIDER_X.replace("vacancies: 3", f"vacancies: {HUGE}"))
    result = _cli(
        "build", "--data", str(data_dir), "--out", str(tmp_path / "site"), "--no-search", "--today", TODAY.isoformat()
    )
    assert isinstance(result.exception, DataError), result.exception
    assert str(result.exception).splitlines()[0] == (
        "data/providers/day-x.yaml:13: status.vacancies: number too long (5,000 characters; at most 100); "
        "put it in quotes if it is text"
    )
    assert not (tmp_path / "site").exists()


def test_huge_integer_in_diff(tmp_path, monkeypatch):
    shutil.copytree(FIXTURE, tmp_path / "data")
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.email", "t@example.jp"],
        ["config", "user.name", "t"],
        ["add", "."],
        ["commit", "-q", "-m", "base"],
        ["tag", "base"],
    ):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    sakura = tmp_path / "data" / "providers" / "day-sakura.yaml"
    sakura.write_text(
        sakura.read_text(encoding="utf-8").replace(
            "  post_infection: not_accepting\n", f"  post_infection: not_accepting\n  vacancies: {HUGE}\n"
        ),
        encoding="utf-8",
    )
    subprocess.run(["git", "commit", "-qam", "head"], cwd=tmp_path, check=True, capture_output=True)
    monkeypatch.chdir(tmp_path)
    result = _cli("diff", "base", "HEAD")
    assert result.exit_code == 0, result.exception
    assert result.output == (
        "## 変更の概要\n\n- 読み込めません: data/providers/day-sakura.yaml（検証の結果を確認してください）\n"
    )


def test_huge_integer_in_intake(tmp_path):
    data = copy_data(tmp_path)
    body = render_body("provider", {"record_id": "day-sakura", "action": "内容を更新する", "vacancies": HUGE})
    (tmp_path / "body.md").write_text(body, encoding="utf-8")

    def intake():
        result = _cli(
            "intake", str(tmp_path / "body.md"), "--author", "sakura-day", "--data", str(data), "--today", "2026-11-20"
        )
        assert result.exit_code == 1, result.exception
        return result.output

    assert "- 空き（人数）: 0 以上の整数で入力してください" in intake()
    # The same number already in the data: the form is refused, cleanly.
    aoba = data / "providers" / "home-aoba.yaml"
    aoba.write_text(aoba.read_text(encoding="utf-8") + f"capacity: {HUGE}\n", encoding="utf-8")
    assert "現在のデータに問題があるため" in intake()


def _cli(*args: str):
    from click.testing import CliRunner

    return CliRunner().invoke(cli, list(args))
