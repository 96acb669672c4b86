"""Shared helpers of the git-flow tests: the fixture tree and GitHub's rendering of an issue form."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tsunagu.domain.forms import FORMS, NO_RESPONSE

FIXTURE = Path(__file__).parent / "fixtures" / "gitflow" / "data"


def copy_data(tmp_path: Path) -> Path:
    """A fresh copy of the fixture data folder."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    return data


def render_body(kind: str, values: dict[str, str]) -> str:
    """An issue body as GitHub renders a submitted form: `### Label`, blank line, value."""
    form = FORMS[kind]
    return "\n\n".join(f"### {f.label}\n\n{values.get(f.id) or NO_RESPONSE}" for f in form.fields)


def git(repo: Path, *args: str) -> str:
    """Run git in a fixture repository (no network, no user config needed)."""
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def init_repo(repo: Path) -> Path:
    """A git repository whose first commit (branch main, tag base) holds the fixture data."""
    copy_data(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "base")
    return repo


def edit(repo: Path, path: str, old: str | None = None, new: str = "") -> None:
    """Replace text in a file of the repository (or write it whole when old is None)."""
    file = repo / path
    file.parent.mkdir(parents=True, exist_ok=True)
    if old is None:
        file.write_text(new, encoding="utf-8")
        return
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def pull_request(repo: Path, branch: str, message: str = "pr") -> str:
    """Commit the working tree's changes on a new branch off main; return to main; the branch's commit."""
    git(repo, "switch", "-q", "-c", branch)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    sha = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "switch", "-q", "main")
    return sha
