"""Recent status changes from the git history of the data files."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from tsunagu.data.history import History, read_history, status_diff

SAKURA = """\
name: デイサービスさくら
services: [通所介護]
area: 北部
address: 茨城県さくら市北条1
phone: 029-000-1011
status:
  updated: {updated}
  new_clients: {new}
  vacancies: {vacancies}
"""
DOCTOR = """\
name: 山田 太郎
clinic: やまだ内科
area: 中部
address: 茨城県さくら市竹園1
phone: 029-000-2011
contact:
  windows:
    - days: [{day}]
      time: "13:00-14:00"
  methods: [phone]
  updated: 2026-11-01
"""


def commit(repo: Path, day: str, files: dict[str, str | None]) -> None:
    """Write (or delete, for None) files under repo/data and commit them on a given date."""
    for name, text in files.items():
        path = repo / "data" / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": f"{day}T10:00:00+09:00",
        "GIT_COMMITTER_DATE": f"{day}T10:00:00+09:00",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.jp",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.jp",
    }
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", day], cwd=repo, check=True, env=env)


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    commit(
        repo,
        "2026-08-01",
        {
            "providers/day-sakura.yaml": SAKURA.format(updated="2026-08-01", new="unknown", vacancies=0),
            "site.yaml": "title: x\n",
        },
    )
    commit(
        repo,
        "2026-11-02",
        {
            "providers/day-sakura.yaml": SAKURA.format(updated="2026-11-02", new="accepting", vacancies=3),
            "physicians/yamada.yaml": DOCTOR.format(day="mon"),
        },
    )
    commit(
        repo,
        "2026-11-10",
        {"providers/day-sakura.yaml": SAKURA.format(updated="2026-11-10", new="accepting", vacancies=3)},
    )  # confirmed only
    commit(
        repo,
        "2026-11-18",
        {
            "providers/day-sakura.yaml": SAKURA.format(updated="2026-11-18", new="not_accepting", vacancies=0),
            "physicians/yamada.yaml": DOCTOR.format(day="thu"),
        },
    )
    commit(repo, "2026-11-20", {"physicians/yamada.yaml": None})
    return repo


def test_status_changes_newest_first_with_before_and_after(tmp_path):
    repo = make_repo(tmp_path)
    history = read_history(repo / "data", dt.date(2026, 11, 22), days=56)
    assert history.available and history.since == dt.date(2026, 9, 27)
    seen = [(c.date.isoformat(), c.stem, c.event, c.fields) for c in history.changes]
    assert seen == [
        ("2026-11-20", "yamada", "removed", []),
        ("2026-11-18", "yamada", "changed", [("連絡しやすい時間帯", "月 13:00-14:00", "木 13:00-14:00")]),
        ("2026-11-18", "day-sakura", "changed", [("新規受入", "受入可", "受入不可"), ("空き", "3", "0")]),
        ("2026-11-02", "yamada", "added", []),
        ("2026-11-02", "day-sakura", "changed", [("新規受入", "未回答", "受入可"), ("空き", "0", "3")]),
    ], "a confirmation alone (2026-11-10) is no change; the August commit is older than the window"
    assert history.changes[0].name == "やまだ内科 山田 太郎"


def test_a_long_history_is_cut_with_a_count(tmp_path, monkeypatch):
    from tsunagu.data import history as module

    monkeypatch.setattr(module, "MAX_EVENTS", 2)
    history = read_history(make_repo(tmp_path) / "data", dt.date(2026, 11, 22))
    # Past the limit, files are counted without being read (the 11-10 confirmation counts too).
    assert len(history.changes) == 2 and history.omitted == 4


def test_a_shallow_clone_does_not_show_its_oldest_commit_as_all_new(tmp_path):
    repo = make_repo(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", repo.as_uri(), str(clone)], check=True)
    history = read_history(clone / "data", dt.date(2026, 11, 22))
    assert history.shallow
    # Only 11-20 (yamada removed) and 11-18 are in the clone; 11-18's changes need 11-10, which is absent.
    assert [(c.date.isoformat(), c.event) for c in history.changes] == [("2026-11-20", "removed")]
    assert not read_history(repo / "data", dt.date(2026, 11, 22)).shallow


def test_no_git_no_history(tmp_path):
    (tmp_path / "data").mkdir()
    assert read_history(tmp_path / "data", dt.date(2026, 11, 22)) == History(False, dt.date(2026, 9, 27))


def test_status_diff_leaves_out_who_confirmed_and_when():
    assert status_diff("provider", {"status": {"updated": "x"}}, {"status": {"updated": "y"}}) == []
    assert status_diff("provider", {"status": {"confirmed_via": "form"}}, {"status": {"confirmed_via": "fax"}}) == []
    assert status_diff("provider", {"status": "broken"}, {"status": {"operation": "reduced"}}) == [
        ("営業状況", "（なし）", "縮小営業")
    ]


# 396 bytes of YAML that PyYAML's own loaders expand into a 34.7 MB `conditions` list.
ALIAS_BOMB = """\
name: デイサービスさくら
services: [通所介護]
area: 北
address: 茨城県さくら市北条
phone: 029-000-1011
a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
status:
  conditions: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def test_an_alias_bomb_in_an_old_commit_is_refused_not_expanded(tmp_path):
    assert len(ALIAS_BOMB.encode()) == 396
    repo = make_repo(tmp_path)
    commit(repo, "2026-11-21", {"providers/day-sakura.yaml": ALIAS_BOMB})
    bomb_commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout[:12]
    commit(
        repo,
        "2026-11-22",
        {"providers/day-sakura.yaml": SAKURA.format(updated="2026-11-22", new="accepting", vacancies=1)},
    )
    history = read_history(repo / "data", dt.date(2026, 11, 22))
    # Neither the commit that added it nor the one that replaced it shows a change: one side is unreadable.
    assert [(c.date.isoformat(), c.stem) for c in history.changes][:2] == [
        ("2026-11-20", "yamada"),
        ("2026-11-18", "yamada"),
    ]
    assert max(len(text) for c in history.changes for f in c.fields for text in f) < 100
    # Read as the newer side of 11-21 and the older side of 11-22: reported once, with its line.
    assert [str(p) for p in history.refused] == [
        f"{bomb_commit}:providers/day-sakura.yaml:6: a: YAML anchors and aliases (& and *) are not allowed; "
        "write the value out"
    ]
