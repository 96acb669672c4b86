"""What a change to the data means, in Japanese, for the pull-request comment and the intake reply."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

from tsunagu.data.load import MAX_FILE_BYTES
from tsunagu.domain.describe import field_changes
from tsunagu.domain.errors import Problem, TsunaguError
from tsunagu.domain.kinds import BY_FOLDER
from tsunagu.yamlio.strict import parse_yaml


class GitError(TsunaguError):
    """A git command failed (unknown revision, not a repository)."""


def escape_markdown(text: str) -> str:
    """Text that GitHub shows as written: no links, markup or @-mentions from the data."""
    out = "".join("\\" + ch if ch in "\\`*_[]<>|~#!" else ch for ch in text)
    return out.replace("@", "@\u200b")


def record_changes(kind: str, old: Any, new: Any) -> list[str]:
    """One line per changed field, e.g. `新規受入: 受入可 → 条件付きで可` (escaped for Markdown)."""
    return [escape_markdown(f"{label}: {was} → {now}") for label, was, now in field_changes(kind, old, new)]


def _title(value: Any, path: str) -> str:
    name = value.get("name") if isinstance(value, dict) else None
    clinic = value.get("clinic") if isinstance(value, dict) else None
    title = " ".join(str(x) for x in (clinic, name) if isinstance(x, str)) or PurePosixPath(path).stem
    return escape_markdown(title)


_UNREADABLE = object()


def summarize(old: dict[str, Any], new: dict[str, Any]) -> str:
    """The Japanese Markdown summary of a change: path -> parsed value before and after (absent = none)."""
    lines = ["## 変更の概要", ""]
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        folder = PurePosixPath(path).parent.name
        kind = BY_FOLDER[folder].name if folder in BY_FOLDER else None
        shown = escape_markdown(path)
        if after is _UNREADABLE:
            lines.append(f"- 読み込めません: {shown}（検証の結果を確認してください）")
        elif kind is None:
            verb = "追加" if path not in old else "削除" if path not in new else "変更"
            what = (
                "サイト設定"
                if PurePosixPath(path).name == "site.yaml"
                else "お知らせ"
                if folder == "notices"
                else "ファイル"
            )
            lines.append(f"- {what}を{verb}: {shown}")
        elif path not in old:
            lines.append(f"- 新規: {_title(after, path)}（{shown}）")
        elif path not in new:
            lines.append(f"- 削除: {_title(before, path)}（{shown}）")
        else:
            lines.append(f"- 変更: {_title(after, path)}（{shown}）")
            lines.extend(f"  - {line}" for line in record_changes(kind, before, after) or ["書式やコメントのみの変更"])
    if len(lines) == 2:
        lines.append("データの変更はありません。")
    return "\n".join(lines) + "\n"


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git and return its output; failures become a GitError with git's message."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8")
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


class Undecodable(str):
    """The text of a file that is not UTF-8: parse_value reads it as unreadable, never as replaced text."""


def read_bytes_at(rev: str, path: str, cwd: Path | None = None) -> bytes | None:
    """A file's exact bytes at a git revision (path relative to cwd), or None where it does not exist."""
    result = subprocess.run(["git", "cat-file", "blob", f"{rev}:./{path}"], cwd=cwd, capture_output=True)
    if result.returncode != 0:
        git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", cwd=cwd)  # unknown revision -> GitError
        return None
    return result.stdout


def read_at(rev: str, path: str, cwd: Path | None = None) -> str | None:
    """A file's text at a git revision, decoded strictly (Undecodable when it is not UTF-8), or None."""
    raw = read_bytes_at(rev, path, cwd)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return Undecodable("")


def parse_value(text: str, path: str) -> Any:
    """A data file's value, or the front matter of a notice; _UNREADABLE when it does not parse or is too large."""
    if (
        isinstance(text, Undecodable) or len(text) > MAX_FILE_BYTES
    ):  # as load refuses it; a pull request's file is read before any check
        return _UNREADABLE
    if path.endswith(".md"):
        parts = text.split("---", 2)
        text = parts[1] if len(parts) == 3 and not parts[0].strip() else ""
    problems: list[Problem] = []
    doc = parse_yaml(text, path, problems)
    return _UNREADABLE if doc is None else doc.value


def changed_files(base: str, head: str, cwd: Path | None = None) -> list[str]:
    """Every file that differs between two revisions (paths relative to the repository root)."""
    out = git("diff", "--name-only", "--no-renames", "-z", base, head, cwd=cwd)
    return [p for p in out.split("\0") if p]


def outside_warning(paths: list[str]) -> str:
    """The warning that lists every changed file outside the data: code, templates, workflows and the like."""
    if not paths:
        return ""
    lines = [
        "",
        "## ⚠️ データ以外のファイルの変更",
        "",
        f"データ以外のファイルが {len(paths)} 件変更されています。コード・テンプレート・ワークフローの変更は"
        "パスワードの流出やサイトの改ざんにつながることがあります。管理者が内容を確認するまでマージしないでください。",
        "",
    ]
    return "\n".join([*lines, *(f"- {escape_markdown(p)}" for p in paths)]) + "\n"


def diff_revisions(base: str, head: str, data_dir: str = "data", cwd: Path | None = None) -> str:
    """The summary of everything changed between two git revisions, read with git (no checkout)."""
    prefix = PurePosixPath(data_dir).as_posix().strip("/") + "/"
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    outside = []
    for path in changed_files(base, head, cwd):
        if not path.startswith(prefix):
            outside.append(path)
            continue
        for rev, values in ((base, old), (head, new)):
            text = read_at(rev, path, cwd)
            if text is not None:
                values[path] = parse_value(text, path)
    return summarize(old, new) + outside_warning(outside)
