"""A large build's first stages run in a forked process (pipeline/forked.py): same site, same errors."""

from __future__ import annotations

import os

import pytest
from conftest import STRONG, fast_config, make_tree, read_tree

from tsunagu.domain.errors import BuildError, DataError, Problem
from tsunagu.pipeline import builder
from tsunagu.pipeline.forked import in_child, in_slices


def test_a_build_whose_stages_ran_in_a_child_is_the_same_site(tmp_path, monkeypatch):
    data = make_tree(tmp_path)
    at_home = builder.build(fast_config(data, tmp_path / "one", passwords=dict(STRONG), epoch=1_764_000_000))
    monkeypatch.setattr(builder, "SPOOL_RECORDS", 0)  # every build is "large"
    real, seen = builder._checked_and_sealed, tmp_path / "stages-pid"

    def stages(*args):
        seen.write_text(str(os.getpid()))  # from the child: a list appended there would stay empty here
        return real(*args)

    monkeypatch.setattr(builder, "_checked_and_sealed", stages)
    in_child_report = builder.build(fast_config(data, tmp_path / "two", passwords=dict(STRONG), epoch=1_764_000_000))
    assert int(seen.read_text()) != os.getpid()
    assert read_tree(tmp_path / "two") == read_tree(tmp_path / "one")
    assert in_child_report.files == at_home.files and in_child_report.pages == at_home.pages
    assert set(in_child_report.stages) == {"load", "validate", "render", "index", "seal", "publish"}
    assert in_child_report.seconds["render"] > 0


def test_data_errors_come_back_from_the_child_whole(tmp_path, monkeypatch):
    data = make_tree(tmp_path)
    sakura = data / "providers" / "day-sakura.yaml"
    sakura.write_text(sakura.read_text().replace("new_clients: accepting", "new_clients: yes"))
    config = fast_config(data, tmp_path / "site", search=False)
    with pytest.raises(DataError) as here:
        builder.build(config)
    monkeypatch.setattr(builder, "SPOOL_RECORDS", 0)
    with pytest.raises(DataError) as there:
        builder.build(config)
    assert str(there.value) == str(here.value) and "new_clients" in str(there.value)
    assert not (tmp_path / "site").exists()


def test_in_child_returns_the_result_or_raises_what_the_child_raised():
    assert in_child(lambda: (os.getpid(), b"x" * 1_000_000))[1] == b"x" * 1_000_000  # more than a pipe's buffer
    assert in_child(os.getpid) != os.getpid()
    with pytest.raises(DataError) as caught:
        in_child(lambda: (_ for _ in ()).throw(DataError([Problem("a.yaml", 3, "name", "expected text")])))
    assert caught.value.problems == [Problem("a.yaml", 3, "name", "expected text")]


def test_a_child_that_dies_or_raises_what_cannot_be_pickled_is_a_build_error():
    class Odd(Exception):
        def __reduce__(self):
            raise TypeError("not picklable")

    def odd():
        raise Odd("a lock held")

    with pytest.raises(BuildError, match="^Odd: a lock held$"):
        in_child(odd)
    with pytest.raises(BuildError, match="ended without a result"):
        in_child(lambda: os._exit(9))


def test_in_slices_gives_every_result_in_the_items_order_from_that_many_processes():
    pids = in_slices(lambda part: [(os.getpid(), n * n) for n in part], list(range(101)), 3)
    assert [square for _, square in pids] == [n * n for n in range(101)]
    assert len({pid for pid, _ in pids}) == 3 and pids[0][0] == os.getpid()  # the first slice here, two children
    assert in_slices(lambda part: [n + 1 for n in part], [5], 4) == [6]  # no more processes than items
    assert in_slices(lambda part: [n + 1 for n in part], [], 2) == []


def test_in_slices_raises_a_childs_failure_after_reaping_every_child():
    def work(part):
        if 1 in part:
            raise DataError([Problem("b.yaml", 2, "kind", "expected a kind")])
        return list(part)

    with pytest.raises(DataError) as caught:
        in_slices(work, [0, 1, 2, 3], 2)
    assert caught.value.problems == [Problem("b.yaml", 2, "kind", "expected a kind")]
    try:
        ended = os.waitpid(-1, os.WNOHANG)[0]  # a child that ended unreaped would show here
    except ChildProcessError:  # no child at all
        ended = 0
    assert ended == 0
    with pytest.raises(BuildError, match="gave 0 results for 2 items"):
        in_slices(lambda part: [], [0, 1, 2, 3], 2)
