"""Recent status changes, read from the git history of the data files (for the 最近の変更 page)."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from tsunagu.data.load import MAX_FILE_BYTES
from tsunagu.domain.describe import field_changes
from tsunagu.domain.errors import Problem
from tsunagu.domain.kinds import BY_FOLDER, BY_NAME
from tsunagu.yamlio.strict import parse_yaml

HISTORY_DAYS = 56  # "the last weeks": eight of them
MAX_EVENTS = 300  # an import commit may touch every file; the page stays readable
_BATCH = 200
_REFUSED = object()  # an old file the strict loader refused: its change is left out, never guessed


@dataclass
class StatusChange:
    """One record's status change in one commit: (field label, before, after) per field."""

    date: dt.date
    kind: str
    stem: str
    name: str
    event: str  # changed | added | removed
    fields: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        """事業所 or 医師."""
        return BY_NAME[self.kind].label


@dataclass
class History:
    """Status changes newest first; available is False when the data is not in a git repository."""

    available: bool
    since: dt.date
    changes: list[StatusChange] = field(default_factory=list)
    omitted: int = 0
    shallow: bool = False  # the checkout lacks older commits (e.g. a CI clone with fetch-depth 1)
    refused: list[Problem] = field(default_factory=list)  # old files the strict loader refused (left out)


def _kind_of(path: str) -> str | None:
    folder = PurePosixPath(path).parts[0]
    return BY_FOLDER[folder].name if folder in BY_FOLDER else None


def status_diff(kind: str, old: Any, new: Any) -> list[tuple[str, str, str]]:
    """Changed status (or contact) fields, whole values (最近の変更 marks the changed words); who confirmed and when left out."""
    return field_changes(kind, old, new, section=BY_NAME[kind].section, whole=True)


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes | None:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def _commits(data_dir: Path, since: dt.date) -> list[tuple[str, str | None, dt.date, list[str]]]:
    """(commit, first parent, date, changed record files) newest first."""
    out = _git(
        [
            "log",
            "--first-parent",
            "--diff-merges=first-parent",
            "--no-renames",
            "--relative",
            f"--since={since.isoformat()}",
            "--format=%x01%H %P%x02%cs",
            "--name-only",
            "-z",
            "--",
            "providers",
            "physicians",
        ],
        data_dir,
    )
    commits = []
    for chunk in (out or b"").decode("utf-8", "replace").split("\x01")[1:]:
        head, _, rest = chunk.partition("\x02")
        shas = head.split()
        day, _, names = rest.partition("\n")
        files = [n.strip("\n") for n in names.split("\0") if n.strip("\n").endswith(".yaml")]
        commits.append((shas[0], shas[1] if len(shas) > 1 else None, dt.date.fromisoformat(day.strip()[:10]), files))
    return commits


def _read_blobs(data_dir: Path, specs: list[str], refused: list[Problem]) -> list[Any]:
    """Values of `rev:./path` specs in one git process, read as strictly as the data itself.

    None where absent; _REFUSED (and a problem) where the file breaks a rule of the strict loader
    (an alias bomb committed once must not become a change of megabytes) or is larger than a data file may be.
    """
    out = _git(["cat-file", "--batch"], data_dir, "".join(s + "\n" for s in specs).encode()) or b""
    values: list[Any] = []
    pos = 0
    for spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            values.append(None)
            continue
        size = int(header[2])
        text, pos = out[pos : pos + size], pos + size + 1
        shown = f"{spec[:12]}:{spec.split(':./', 1)[1]}"  # commit:path, as `git show` takes it in data/
        if size > MAX_FILE_BYTES:
            refused.append(Problem(shown, 0, "", f"file too large ({size:,} bytes; at most {MAX_FILE_BYTES:,})"))
            values.append(_REFUSED)
            continue
        found: list[Problem] = []
        doc = parse_yaml(text.decode("utf-8", "replace"), shown, found)
        refused.extend(p for p in found if p not in refused)  # each version once, though read twice
        values.append(_REFUSED if doc is None else doc.value)
    return values


def read_history(data_dir: Path, today: dt.date, days: int = HISTORY_DAYS) -> History:
    """Status changes of the last `days` days from git, newest first (no git: available=False)."""
    since = today - dt.timedelta(days=days)
    if _git(["rev-parse", "--is-inside-work-tree"], data_dir) is None:
        return History(False, since)
    history = History(True, since)
    history.shallow = (_git(["rev-parse", "--is-shallow-repository"], data_dir) or b"").strip() == b"true"
    for sha, parent, day, files in _commits(data_dir, since):
        if parent is None and history.shallow:
            continue  # the clone's oldest commit: its files look added, but their past is just not here
        pairs = [(f, kind) for f in files if (kind := _kind_of(f))]
        # Read in batches and stop parsing once the page is full: an import commit may touch every file.
        for start in range(0, len(pairs), _BATCH):
            batch = pairs[start : start + _BATCH]
            if len(history.changes) >= MAX_EVENTS:
                history.omitted += len(batch)  # counted as files, not parsed
                continue
            specs = [f"{rev}:./{f}" for f, _ in batch for rev in (parent or "0" * 40, sha)]
            values = _read_blobs(data_dir, specs, history.refused)
            for i, (path, kind) in enumerate(batch):
                if values[2 * i] is _REFUSED or values[2 * i + 1] is _REFUSED:
                    continue
                change = _change(day, kind, PurePosixPath(path).stem, values[2 * i], values[2 * i + 1])
                if change is None:
                    continue
                if len(history.changes) < MAX_EVENTS:
                    history.changes.append(change)
                else:
                    history.omitted += 1
    return history


def _change(day: dt.date, kind: str, stem: str, old: Any, new: Any) -> StatusChange | None:
    record = new if isinstance(new, dict) else old if isinstance(old, dict) else {}
    name = BY_NAME[kind].title(record) or stem
    if not isinstance(old, dict) and isinstance(new, dict):
        return StatusChange(day, kind, stem, name, "added")
    if isinstance(old, dict) and not isinstance(new, dict):
        return StatusChange(day, kind, stem, name, "removed")
    fields = status_diff(kind, old, new)
    return StatusChange(day, kind, stem, name, "changed", fields) if fields else None
