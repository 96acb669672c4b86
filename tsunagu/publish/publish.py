"""Publish stage: write the output into a fresh folder, then swap it in, so a failure leaves site/ as it was.

Builds into one output take a lock (two builds never interleave); the swap is one atomic
exchange of the two folders where the system has it (Linux), so a build killed at any moment
leaves the previous site complete; a full disk is reported as such.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tsunagu.domain.errors import BuildError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output's lock (a lock on its parent folder); refuse while another build holds it."""
    parent = Path(out_dir).resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(
                f"{out_dir}: another build is writing here now; nothing was written (run again when it has finished)"
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where the system cannot."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    if func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _recover(out_dir: Path, parent: Path) -> None:
    """Clean what a killed build left: its staging folders, and put back a site it had moved aside."""
    for leftover in sorted(parent.glob(f".{out_dir.name}-old-*")):
        if not out_dir.exists() and (leftover / "site").is_dir():
            os.rename(leftover / "site", out_dir)
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in parent.glob(f".{out_dir.name}-new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _write_all(files: dict[str, bytes], staging: Path) -> None:
    for folder in sorted({(staging / p).parent for p in files}):
        folder.mkdir(parents=True, exist_ok=True)
    # Many small files: the time goes to file-system latency, which threads overlap.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda item: (staging / item[0]).write_bytes(item[1]), files.items()))


def _swap(staging: Path, out_dir: Path, parent: Path) -> None:
    if out_dir.exists() and _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous site
        return
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=parent))
        os.rename(out_dir, old / "site")  # a kill between these two renames is undone by _recover
    os.rename(staging, out_dir)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def write_site(files: dict[str, bytes], out_dir: Path) -> None:
    """Write every file under a temporary sibling of out_dir, then replace out_dir with it."""
    out_dir = Path(out_dir)
    for path in files:
        if ".." in Path(path).parts or Path(path).is_absolute():
            raise BuildError(f"refusing to write outside the site: {path!r}")
    with output_lock(out_dir):
        parent = out_dir.resolve().parent
        _recover(out_dir, parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=parent))
        try:
            _write_all(files, staging)
            os.chmod(staging, 0o755)
            _swap(staging, out_dir, parent)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                need = sum(len(b) for b in files.values()) / 1e6
                raise BuildError(
                    f"{out_dir}: the disk is full ({need:.1f} MB to write); the previous site is unchanged"
                ) from None
            raise
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
