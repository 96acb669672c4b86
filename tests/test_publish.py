"""Publish stage: the output folder is replaced whole, or not at all."""

from __future__ import annotations

import pytest
from conftest import read_tree

from tsunagu.domain.errors import BuildError
from tsunagu.pipeline.publish import write_site


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
    with pytest.raises(OSError):
        write_site({"index.html": b"new", "a/b.html": b"new", "c.html": b"new"}, out)
    monkeypatch.undo()
    assert read_tree(out) == {"index.html": b"old", "a/b.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_output_is_readable_by_a_web_server(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"x"}, out)
    assert out.stat().st_mode & 0o755 == 0o755
