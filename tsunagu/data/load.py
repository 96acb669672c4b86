"""Load stage: read the YAML and Markdown of a data directory, keeping the line of every value."""

from __future__ import annotations

import errno
import multiprocessing
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from tsunagu.domain.errors import DataError, Problem
from tsunagu.domain.kinds import KINDS, Kind
from tsunagu.domain.text import forbidden_character, refusal
from tsunagu.yamlio.strict import Document, display_path, parse_yaml

MAX_FILE_BYTES = 256 * 1024


@dataclass
class Tree:
    """Every document of a data directory, before validation."""

    root: Path
    site: Document | None
    providers: list[Document]
    physicians: list[Document]
    notices: list[Document]
    problems: list[Problem] = field(default_factory=list)  # files that could not be read (keep_going)

    def docs(self, kind: Kind) -> list[Document]:
        """The documents of one kind of record."""
        return getattr(self, kind.folder)


_KINDS = (
    (stat.S_ISDIR, "folder"),
    (stat.S_ISFIFO, "FIFO (named pipe)"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISLNK, "symbolic link"),
)
LINK_REFUSED = "symbolic link; data files must be regular files inside the data folder (links are never followed)"


def special_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "special file")


class UnsafeFile(Exception):
    """A file that must not be read: a link, a special file, or one too large."""


def read_regular_file(path: Path, limit: int, *, follow: bool = False) -> bytes:
    """The bytes of a regular file, never following a link unless asked, never blocking, at most `limit` bytes.

    O_NONBLOCK makes opening a FIFO return at once; fstat on the open descriptor then refuses
    it (and devices such as /dev/zero) without a race between checking and reading.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise UnsafeFile(LINK_REFUSED) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile(f"{special_kind(info.st_mode)}, not a regular file; refused")
        if info.st_size > limit:
            raise UnsafeFile(f"file too large ({info.st_size:,} bytes; at most {limit:,})")
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise UnsafeFile(f"file too large (more than {limit:,} bytes)")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except UnsafeFile as exc:
        problems.append(Problem(shown, 0, "", str(exc)))
        return None
    except OSError as exc:
        problems.append(Problem(shown, 0, "", f"cannot read file: {exc.strerror}"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                shown,
                data.count(b"\n", 0, exc.start) + 1,
                "",
                f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            )
        )
        return None
    return text  # control characters, NUL included, are refused by the parser with their field


def load_yaml_file(path: Path, problems: list[Problem]) -> Document | None:
    """Read and parse one YAML file."""
    shown = display_path(path)
    text = _read_text(path, shown, problems)
    return None if text is None else parse_yaml(text, shown, problems)


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)


def load_markdown_file(path: Path, problems: list[Problem]) -> Document | None:
    """Read a notice: YAML front matter between '---' lines, then Markdown."""
    shown = display_path(path)
    text = _read_text(path, shown, problems)
    if text is None:
        return None
    match = _FRONT.match(text)
    if not match:
        problems.append(Problem(shown, 1, "", "expected YAML front matter between '---' lines at the top"))
        return None
    doc = parse_yaml(match.group(1), shown, problems, first_line=2)
    if doc is None:
        return None
    doc.body_line = text.count("\n", 0, match.end()) + 1
    # Mixed line endings are harmless: the body is kept with \n only.
    doc.body = text[match.end() :].replace("\r\n", "\n").replace("\r", "\n")
    bad = forbidden_character(doc.body, multiline=True)
    if bad:
        problems.append(Problem(shown, doc.body_line + doc.body.count("\n", 0, bad[0]), "body", refusal(bad[1])))
        return None
    return doc


def _files(folder: Path, suffixes: tuple[str, ...], problems: list[Problem]) -> list[Path]:
    """The data files of a folder; links and special files are reported, never followed or skipped."""
    if folder.is_symlink():
        problems.append(Problem(display_path(folder), 0, "", LINK_REFUSED))
        return []
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        mode = entry.stat(follow_symlinks=False).st_mode
        if entry.name.startswith(".") and not stat.S_ISLNK(mode):
            continue
        if stat.S_ISREG(mode) and entry.name.endswith(suffixes):
            found.append(Path(entry.path))
            continue
        if stat.S_ISREG(mode) and entry.name.endswith((".md", ".txt")):
            continue  # a README beside the records
        shown = display_path(Path(entry.path))  # only for a problem: computing it for every file took seconds
        if stat.S_ISLNK(mode):
            problems.append(Problem(shown, 0, "", LINK_REFUSED))
        elif stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            problems.append(
                Problem(
                    shown,
                    0,
                    "",
                    f"unexpected {'folder' if stat.S_ISDIR(mode) else 'file'}; expected {' or '.join(suffixes)} files",
                )
            )
        else:
            problems.append(Problem(shown, 0, "", f"{special_kind(mode)}, not a regular file; refused"))
    return found


def _load_one(path: Path) -> tuple[Document | None, list[Problem]]:
    problems: list[Problem] = []
    return load_yaml_file(path, problems), problems


def _load_many(paths: list[Path], problems: list[Problem], workers: int = 1) -> list[Document]:
    """Parse many YAML files, in `workers` forked processes at prefecture scale (parsing is CPU-bound)."""
    if workers > 1 and len(paths) >= 2000 and "fork" in multiprocessing.get_all_start_methods():
        # This process parses a share too: only the others' documents cross a pipe (pickling them
        # cost a third of parsing them), and a busy machine pays for one process fewer.
        share = len(paths) // workers
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            pending = pool.map_async(_load_one, paths[share:], chunksize=256)
            results = [_load_one(p) for p in paths[:share]]
            results += pending.get()
    else:
        results = [_load_one(p) for p in paths]
    docs = []
    for doc, found in results:
        problems.extend(found)
        if doc is not None:
            docs.append(doc)
    return docs


def load_tree(data_dir: Path, *, keep_going: bool = False, workers: int = 1) -> Tree:
    """Load every file of a data directory (in `workers` processes); raises DataError listing all that cannot be read.

    With keep_going, the readable files are returned and the problems kept on the Tree, so
    validate_tree reports them together with the problems of the other files.
    """
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise DataError([Problem(display_path(data_dir), 0, "", "data folder not found")])
    site_path = data_dir / "site.yaml"
    site = None
    if os.path.lexists(site_path):  # a link or a FIFO is reported by the reader, not taken for missing
        site = load_yaml_file(site_path, problems)
    else:
        problems.append(Problem(display_path(site_path), 0, "", "missing: every data folder needs a site.yaml"))
    records = {
        k.folder: _load_many(_files(data_dir / k.folder, (".yaml", ".yml"), problems), problems, workers) for k in KINDS
    }
    notices = [d for p in _files(data_dir / "notices", (".md",), problems) if (d := load_markdown_file(p, problems))]
    if problems and not keep_going:
        raise DataError(problems)
    return Tree(data_dir, site, records["providers"], records["physicians"], notices, problems)
