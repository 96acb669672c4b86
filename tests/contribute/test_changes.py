import shutil
import subprocess

import pytest
from click.testing import CliRunner
from gitflow import FIXTURE

from tsunagu.cli import cli
from tsunagu.contribute.changes import GitError, diff_revisions, escape_markdown, record_changes
from tsunagu.domain.errors import Problem


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with the fixture data as its first commit (tag base) and one PR commit (tag head)."""
    shutil.copytree(FIXTURE, tmp_path / "data")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.jp")
    git(tmp_path, "config", "user.name", "t")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "tag", "base")
    sakura = tmp_path / "data" / "providers" / "day-sakura.yaml"
    text = sakura.read_text(encoding="utf-8")
    text = text.replace("new_clients: accepting", "new_clients: conditional")
    text = text.replace("updated: 2026-11-01", "updated: 2026-11-20")
    sakura.write_text(
        text.replace("  post_infection: not_accepting\n", "  post_infection: not_accepting\n  vacancies: 2\n"),
        encoding="utf-8",
    )
    (tmp_path / "data" / "providers" / "home-aoba.yaml").unlink()
    (tmp_path / "data" / "providers" / "day-new.yaml").write_text(
        "name: デイ*新*\nservices: [通所介護]\narea: 北部\naddress: x\nphone: 029-000-9999\n"
        "status:\n  updated: 2026-11-20\n",
        encoding="utf-8",
    )
    (tmp_path / "README.md").write_text("not data\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "head")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_diff_between_commits(repo):
    result = CliRunner().invoke(cli, ["diff", "base", "HEAD"])
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == """\
## 変更の概要

- 新規: デイ\\*新\\*（data/providers/day\\-new.yaml）
- 変更: デイサービスさくら（data/providers/day\\-sakura.yaml）
  - 確認日: 2026-11-01 → 2026-11-20
  - 新規受入: 受入可 → 条件付きで可
  - 空き: （なし） → 2
- 削除: ヘルパーステーションあおば（data/providers/home\\-aoba.yaml）

## ⚠️ データ以外のファイルの変更

データ以外のファイルが 1 件変更されています。コード・テンプレート・ワークフローの変更はパスワードの流出やサイトの改ざんにつながることがあります。管理者が内容を確認するまでマージしないでください。

- README.md
""".replace("\\-", "-")
    )


def test_every_file_outside_the_data_is_listed_with_a_warning(repo):
    for path in (".github/workflows/deploy.yml", "tsunagu/web/static/unlock.js", "data_x/[evil](x).md"):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("x\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "code")
    assert diff_revisions("HEAD~1", "HEAD").split("\n\n- ")[-1] == (
        ".github/workflows/deploy.yml\n- data\\_x/\\[evil\\](x).md\n- tsunagu/web/static/unlock.js\n"
    )


def test_no_data_change(repo):
    assert diff_revisions("HEAD", "HEAD") == "## 変更の概要\n\nデータの変更はありません。\n"


def test_unknown_revision(repo):
    with pytest.raises(GitError, match="nope"):
        diff_revisions("nope", "HEAD")


def test_physician_changes_in_japanese():
    old = {
        "name": "山田",
        "contact": {
            "methods": ["fax"],
            "appointment_required": True,
            "windows": [{"days": ["mon", "thu"], "time": "13:00-14:00", "methods": ["phone"]}],
        },
    }
    new = {"name": "山田", "contact": {"methods": ["phone", "ict"], "appointment_required": False, "windows": []}}
    assert record_changes("physician", old, new) == [
        "連絡方法: FAX → 電話・ICT（MCS 等）",
        "面談の予約: 要予約 → 予約不要",
        "連絡しやすい時間帯: 月・木 13:00-14:00（電話） → （なし）",
    ]


def test_markdown_from_data_is_shown_as_text():
    assert escape_markdown("[x](javascript:1) @boss <b>") == "\\[x\\](javascript:1) @\u200bboss \\<b\\>"


def test_annotation_format():
    problem = Problem(
        "data/providers/day-sakura.yaml", 12, "status.new_clients", "expected one of accepting; got 'yes'\n100%"
    )
    assert problem.annotation() == (
        "::error file=data/providers/day-sakura.yaml,line=12::"
        "status.new_clients: expected one of accepting; got 'yes'%0A100%25"
    )
