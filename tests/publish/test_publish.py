"""Publish stage: the output folder is replaced whole, or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from conftest import read_tree
from tools import ROOT

from tsunagu.domain.errors import BuildError
from tsunagu.publish.publish import output_lock, write_site


def test_writes_and_replaces(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"1", "r/a/index.html": b"2"}, out)
    assert read_tree(out) == {"index.html": b"1", "r/a/index.html": b"2"}
    (out / "stray.txt").write_text("left from an old build")
    write_site({"index.html": b"3"}, out)
    assert read_tree(out) == {"index.html": b"3"}, "files of an old build do not linger"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no temporary folders left beside site/"


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/passwd-tsunagu", "a/../../escape.txt"])
def test_refuses_paths_outside_the_site(tmp_path, bad):
    out = tmp_path / "site"
    write_site({"index.html": b"old"}, out)
    with pytest.raises(BuildError) as info:
        write_site({"index.html": b"new", bad: b"x"}, out)
    assert str(info.value) == f"refusing to write outside the site: {bad!r}"
    assert read_tree(out) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failure_while_writing_leaves_the_old_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    write_site({"index.html": b"old", "a/b.html": b"old"}, out)
    calls = 0
    real = type(out).write_bytes

    def failing(self, data):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(type(out), "write_bytes", failing)
    with pytest.raises(BuildError) as info:
        write_site({"index.html": b"new", "a/b.html": b"new", "c.html": b"new"}, out)
    assert str(info.value) == f"{out}: the disk is full (0.0 MB to write); the previous site is unchanged"
    monkeypatch.undo()
    assert read_tree(out) == {"index.html": b"old", "a/b.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_output_is_readable_by_a_web_server(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"x"}, out)
    assert out.stat().st_mode & 0o755 == 0o755


def test_two_builds_into_one_output_cannot_interleave(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"old"}, out)
    with output_lock(out):  # another build is publishing
        with pytest.raises(BuildError) as info:
            write_site({"index.html": b"new"}, out)
    assert (
        str(info.value)
        == f"{out}: another build is writing here now; nothing was written (run again when it has finished)"
    )
    assert read_tree(out) == {"index.html": b"old"}
    write_site({"index.html": b"new"}, out)  # the lock goes with the build that held it
    assert read_tree(out) == {"index.html": b"new"}


KILLER = """
import os, signal, sys
from pathlib import Path
from tsunagu.publish import publish

real = publish._write_all
def dying(files, staging):
    real(dict(list(files.items())[:len(files) // 2]), staging)
    os.kill(os.getpid(), signal.SIGKILL)   # killed halfway through writing
publish._write_all = dying
publish.write_site({f"page{i}.html": b"new" * 100 for i in range(50)}, Path(sys.argv[1]))
"""


def test_a_build_killed_while_publishing_leaves_the_previous_site(tmp_path):
    out = tmp_path / "site"
    old = {f"page{i}.html": b"old" for i in range(5)}
    write_site(old, out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", KILLER, str(out)], env=env, capture_output=True, timeout=60)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert read_tree(out) == old
    assert len(list(tmp_path.iterdir())) == 2, "the dead build left its staging folder"
    write_site({"index.html": b"next"}, out)  # the next build cleans up after it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_site_moved_aside_by_a_killed_build_is_put_back(tmp_path):
    # Where the system has no atomic exchange, the swap is two renames; a kill between them is undone.
    out = tmp_path / "site"
    aside = tmp_path / ".site-old-x1"
    aside.mkdir()
    (aside / "site").mkdir()
    (aside / "site" / "index.html").write_bytes(b"old")
    from tsunagu.publish import publish

    publish._recover(out, tmp_path)  # what the next build does first, under the lock
    assert read_tree(out) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_without_atomic_exchange_the_swap_still_works(tmp_path, monkeypatch):
    from tsunagu.publish import publish

    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    write_site({"index.html": b"1"}, out)
    write_site({"index.html": b"2"}, out)
    assert read_tree(out) == {"index.html": b"2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
