"""A build in CI never invents state: the salt is committed, the epoch is the commit's and never in the future."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PROVIDER_X, SITE

from tsunagu.cli import cli
from tsunagu.domain.config import JST

COMMITTED = 1_795_000_000  # 2026-11-18 20:06 in Japan
PASSWORDS = 'caremanagers: "ひまわり かたつむり えんぴつ ろうそく はくしゅ みずうみ"\n'


def repo(tmp_path: Path, *, salt: bool = True, when: int = COMMITTED) -> Path:
    """A region repository with one commit at `when` (author and committer)."""
    root = tmp_path / "region"
    (root / "data" / "providers").mkdir(parents=True)
    site = SITE + ('salt: "00112233445566778899aabbccddeeff"\n' if salt else "")
    (root / "data" / "site.yaml").write_text(site, encoding="utf-8")
    # Confirmed two days before the commit: stale 14 days later, but the build's date is the commit's.
    (root / "data" / "providers" / "day-x.yaml").write_text(
        PROVIDER_X.replace("2026-11-20", "2026-11-16"), encoding="utf-8"
    )
    stamp = f"@{when} +0900"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "data"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp", *args],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
    return root


def ci_build(root: Path, out: Path, monkeypatch, now: float) -> tuple[int, str]:
    """`tsunagu build --require-passwords` as the deploy workflow runs it, with the clock at `now`."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(time, "time", lambda: now)
    for where in ("tsunagu.cli.site.today_jst", "tsunagu.cli.options.today_jst"):
        monkeypatch.setattr(where, lambda: dt.datetime.fromtimestamp(now, JST).date())
    result = CliRunner().invoke(
        cli,
        ["build", "--data", str(root / "data"), "--out", str(out), "--no-search", "--require-passwords"],
        env={"TSUNAGU_PASSWORDS": PASSWORDS},
    )
    return result.exit_code, result.output + (str(result.exception) if result.exit_code else "")


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_ci_build_without_a_committed_salt_fails_and_says_what_to_do(tmp_path, monkeypatch):
    root = repo(tmp_path, salt=False)
    before = (root / "data" / "site.yaml").read_bytes()
    code, text = ci_build(root, tmp_path / "site", monkeypatch, COMMITTED + 600)
    assert code == 1
    assert "site.yaml: salt がありません。CI のビルドは salt を作りません" in text
    assert "`tsunagu build --data data` を一度実行すると salt が" in text and "コミットして push してください" in text
    assert (root / "data" / "site.yaml").read_bytes() == before and not (tmp_path / "site").exists()


def test_the_same_commit_builds_the_same_bytes_on_any_day(tmp_path, monkeypatch):
    root = repo(tmp_path)
    outputs = []
    for days in (0, 1, 40, 400):
        out = tmp_path / f"site-{days}"
        code, text = ci_build(root, out, monkeypatch, COMMITTED + 600 + days * 86_400)
        assert code == 0, text
        outputs.append(tree(out))
    assert outputs[0] == outputs[1] == outputs[2] == outputs[3], "keys.json included"


def test_an_epoch_in_the_future_is_refused_with_the_reason(tmp_path, monkeypatch):
    root = repo(tmp_path, when=COMMITTED + 3 * 86_400)  # committed on a machine whose clock ran 3 days ahead
    code, text = ci_build(root, tmp_path / "site", monkeypatch, COMMITTED)
    assert code == 1 and not (tmp_path / "site").exists()
    assert (
        "ビルドの版（epoch）が未来の日時です: 2026-11-21 20:06 JST（この機械の時刻: 2026-11-18 20:06 JST）。"
        "コミットした機械の時計が進んでいます。"
    ) in text


def test_a_ci_build_outside_git_is_refused(tmp_path, monkeypatch):
    root = repo(tmp_path)
    subprocess.run(["rm", "-rf", str(root / ".git")], check=True)
    code, text = ci_build(root, tmp_path / "site", monkeypatch, COMMITTED)
    assert code == 1 and "git のコミットの中にありません" in text


@pytest.mark.parametrize("days", [0, 30])
def test_a_demo_build_takes_its_build_time_as_epoch(tmp_path, monkeypatch, days):
    import json

    root = repo(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    now = COMMITTED + days * 86_400
    monkeypatch.setattr(time, "time", lambda: now)
    result = CliRunner().invoke(
        cli,
        ["build", "--data", str(root / "data"), "--out", str(tmp_path / "s"), "--no-search"],
        env={"TSUNAGU_PASSWORDS": ""},
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "s" / "keys.json").read_bytes())["epoch"] == now
