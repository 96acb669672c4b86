"""The gate of a change: who may change which file, and which change may publish itself without review."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from tsunagu.contribute.changes import Undecodable, escape_markdown, git, parse_value, read_at, read_bytes_at
from tsunagu.contribute.owners import OUTSIDE, RECORD_FOLDERS, Owners, owners_at_revision, refusal
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import DataError
from tsunagu.domain.kinds import BY_FOLDER
from tsunagu.domain.labels import FIELD_JA

AUTO, REVIEW, REFUSED = "auto", "review", "refused"
SECTION_JA = {"status": "受入状況", "contact": "連絡先"}
_REGULAR = {"100644", "000000"}  # a plain file, or none (added / deleted)


@dataclass
class Changed:
    """One changed path between two revisions, as `git diff --raw` reports it."""

    path: str
    status: str  # A M D T
    mode: str  # the new mode (000000 when deleted)


@dataclass
class Verdict:
    """The gate's decision: refused (files named), review (reasons given) or auto (publish now)."""

    decision: str
    refusals: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def changed_paths(base: str, head: str, cwd: Path | None = None) -> list[Changed]:
    """Every path changed from the merge base of BASE and HEAD to HEAD, as the pull request shows it."""
    merge_base = git("merge-base", base, head, cwd=cwd).strip()
    out = git("diff", "--raw", "--no-renames", "-z", merge_base, head, cwd=cwd).split("\0")
    found = []
    for meta, path in zip(out[0::2], out[1::2], strict=False):
        _old_mode, new_mode, _old, _new, status = meta.lstrip(":").split(" ")
        found.append(Changed(path, status[0], new_mode))
    return found


def data_rel(path: str, data_dir: str) -> str | None:
    """A repository path's place inside the data folder, or None when it lies outside."""
    prefix = PurePosixPath(data_dir).as_posix().strip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def refusals(owners: Owners, author: str, changes: list[Changed], data_dir: str) -> list[str]:
    """`path: reason` for every changed file the author may not change (none for an admin)."""
    if owners.is_admin(author):
        return []
    out = []
    for change in changes:
        rel = data_rel(change.path, data_dir)
        if rel is None:
            reason: str | None = OUTSIDE
        elif change.mode not in _REGULAR:
            reason = "通常のファイル以外（シンボリックリンクや実行可能ファイル）は管理者のみ追加できます"
        elif change.status == "D" and rel in owners.maintainers:
            reason = "記録の削除は管理者のみ行えます"
        else:
            reason = refusal(owners, author, rel)
        if reason:
            out.append(f"{change.path}: {reason}")
    return out


def _label(section: str, key: str) -> str:
    return FIELD_JA.get(f"{section}.{key}") or FIELD_JA.get(key) or key


def classify_record(folder: str, before: Any, after: Any, author: str, owners: Owners) -> list[str]:
    """Why this record change needs review; an empty list when it may publish itself."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ["記録の追加・削除、または読み込めない記録は管理者の確認が必要です"]
    section = BY_FOLDER[folder].section  # the part a maintainer may publish alone
    others = sorted({k for k in set(before) | set(after) if k != section and before.get(k) != after.get(k)})
    if others:
        return [f"「{SECTION_JA[section]}」以外の項目が変更されています（{'、'.join(_label('', k) for k in others)}）"]
    new = after.get(section)
    if owners.is_admin(author) or not isinstance(new, dict):
        return []
    if new.get("confirmed_via") in ("phone", "fax") or new.get("confirmed_with") is not None:
        return ["電話・FAX での確認は管理者だけが記録できます（confirmed_via / confirmed_with）"]
    if new.get("confirmed_via") == "link" and (before.get(section) or {}).get("confirmed_via") != "link":
        return ["リンクでの確認（confirmed_via: link）は更新リンクからの送信だけが記録します"]
    by = new.get("confirmed_by")
    if by is not None and str(by).casefold() != author.casefold():
        return [f"入力者（confirmed_by: {escape_markdown(str(by))}）が提出者 {author} と一致しません"]
    return []


def _validates(base: str, data_dir: str, record: str, raw: bytes | None, today: dt.date, cwd: Path | None) -> list[str]:
    """Problems of the data as it would be after merging: the base tree with this one record replaced
    by the exact bytes that would be merged (never a decoded and re-encoded copy)."""
    archive = git_bytes(["archive", "--format=tar", base, "--", data_dir], cwd)
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        target = Path(tmp, data_dir, record)
        if raw is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(raw)
        try:
            validate_tree(load_tree(Path(tmp, data_dir)), today)
        except DataError as exc:
            return [f"検証エラー: {escape_markdown(str(p).replace(tmp + '/', ''))}" for p in exc.problems]
    return []


def git_bytes(args: list[str], cwd: Path | None) -> bytes:
    """Git's raw output (archives are binary)."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    if result.returncode != 0:
        git(*args, cwd=cwd)  # raises GitError with git's message
    return result.stdout


def decide(base: str, head: str, author: str, data_dir: str, today: dt.date, cwd: Path | None = None) -> Verdict:
    """The gate over every changed file; all policy (admins, maintainers, data folder) as of BASE."""
    changes = changed_paths(base, head, cwd)
    rels = [r for c in changes if (r := data_rel(c.path, data_dir)) is not None]
    owners = owners_at_revision(base, data_dir, rels, cwd)
    refused = refusals(owners, author, changes, data_dir)
    if refused:
        return Verdict(REFUSED, refusals=refused)
    if not changes:
        return Verdict(REVIEW, reasons=["変更されたファイルがありません"])
    if len(changes) > 1:
        return Verdict(
            REVIEW,
            reasons=[
                f"複数のファイル（{len(changes)} 件）が変更されています。自動で反映できるのは 1 件の記録の更新だけです"
            ],
        )
    change, rel = changes[0], rels[0] if rels else None
    folder = PurePosixPath(rel).parts[0] if rel and len(PurePosixPath(rel).parts) == 2 else None
    if rel is None or folder not in RECORD_FOLDERS:
        return Verdict(REVIEW, reasons=[f"{escape_markdown(change.path)} は記録ファイルではありません"])
    texts = [read_at(rev, change.path, cwd) for rev in (base, head)]
    head_bytes = read_bytes_at(head, change.path, cwd)
    if isinstance(texts[1], Undecodable):  # refused with file and line by the data's own check
        return Verdict(REVIEW, reasons=_validates(base, data_dir, rel, head_bytes, today, cwd))
    before, after = (parse_value(t, rel) if t is not None else None for t in texts)
    reasons = classify_record(folder, before, after, author, owners)
    if not reasons:
        reasons = _validates(base, data_dir, rel, head_bytes, today, cwd)
    return Verdict(REVIEW if reasons else AUTO, reasons=reasons)


def verdict_markdown(verdict: Verdict, author: str) -> str:
    """The gate's decision in Japanese Markdown, for the pull-request comment."""
    who = escape_markdown(author)
    if verdict.decision == AUTO:
        return (
            "## 判定: 自動で反映します\n\n"
            f"{who} さんが担当する記録の受入状況（医師は連絡先）だけの更新で、検証に通りました。"
            "管理者の確認を待たずにマージし、サイトを更新します（数分で表示されます）。\n"
        )
    if verdict.decision == REVIEW:
        return "\n".join(["## 判定: 管理者の確認を待ちます", "", *(f"- {r}" for r in verdict.reasons), ""])
    return "\n".join(
        [
            "## 判定: この変更は受け付けられません",
            "",
            f"{who} さんは次のファイルを変更できません。管理者のレビューが必要です。",
            "",
            *(f"- {escape_markdown(r)}" for r in verdict.refusals),
            "",
        ]
    )
