"""Writing an applied submission into git: a commit on the current branch (auto) or on update/<id>-<n> (review).

Receipts and replay ids live in the commit message's trailers, never in data files.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from tsunagu.contribute.changes import GitError

_IDENTITY = {
    "GIT_AUTHOR_NAME": "tsunagu",
    "GIT_AUTHOR_EMAIL": "tsunagu@localhost",
    "GIT_COMMITTER_NAME": "tsunagu",
    "GIT_COMMITTER_EMAIL": "tsunagu@localhost",
}


def run_git(root: Path, *args: str, env: dict[str, str] | None = None, data: bytes | None = None) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        input=data,
        env={**os.environ, **env} if env is not None else None,
    )
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode()


def identity(root: Path) -> dict[str, str]:
    """The repository's configured identity wins; a checkout without one (a server, CI) gets a neutral one."""
    configured = subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True).stdout.strip()
    return {} if configured else {k: v for k, v in _IDENTITY.items() if k not in os.environ}


def repo_root(data_dir: Path) -> Path:
    """The work tree the data folder belongs to."""
    return Path(run_git(data_dir, "rev-parse", "--show-toplevel").strip())


def message(subject: str, changes: list[str], receipt: str, replay: str, via: str) -> str:
    """The commit message: subject, the change in words, and the trailers receipts are looked up by."""
    body = "\n".join(f"- {c}" for c in changes)
    return (
        f"{subject}\n\n{body + chr(10) + chr(10) if body else ''}"
        f"Tsunagu-Receipt: {receipt}\nTsunagu-Replay: {replay}\nTsunagu-Via: {via}\n"
    )


def seen(root: Path, replay: str) -> tuple[str, str | None] | None:
    """An earlier commit of this replay id: ('applied', None) on HEAD's history, ('review', branch) on a branch."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{22}", replay):
        return None
    found = run_git(root, "log", "--all", "--format=%H", "-F", f"--grep=Tsunagu-Replay: {replay}").split()
    for commit in found:
        if subprocess.run(["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=root).returncode == 0:
            return "applied", None
    for commit in found:
        branches = run_git(root, "branch", "--format=%(refname:short)", "--contains", commit).split()
        if branches:
            return "review", branches[0]
    return None


def commit_here(root: Path, path: Path, text: str, msg: str) -> str:
    """Write the file and commit it alone on the current branch; returns the commit id."""
    path.write_text(text, encoding="utf-8")
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    run_git(root, "add", "--", rel, env=identity(root))
    run_git(root, "commit", "-q", "--no-verify", "-F", "-", "--only", "--", rel, env=identity(root), data=msg.encode())
    return run_git(root, "rev-parse", "HEAD").strip()


def commit_branch(root: Path, path: Path, text: str, msg: str, record_id: str) -> str:
    """Commit the file on a new branch update/<id>-<n> off HEAD without touching the work tree; returns the branch."""
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    existing = set(run_git(root, "branch", "--list", "--format=%(refname:short)", f"update/{record_id}-*").split())
    n = next(i for i in range(1, 100000) if f"update/{record_id}-{i}" not in existing)
    branch = f"update/{record_id}-{n}"
    blob = run_git(root, "hash-object", "-w", "--stdin", data=text.encode()).strip()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**identity(root), "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        run_git(root, "read-tree", "HEAD", env=env)
        run_git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}", env=env)
        tree = run_git(root, "write-tree", env=env).strip()
    commit = run_git(root, "commit-tree", tree, "-p", "HEAD", "-F", "-", env=identity(root), data=msg.encode()).strip()
    run_git(root, "update-ref", f"refs/heads/{branch}", commit, "", env=identity(root))
    return branch
