"""Bulk entry of a FAX round: every row checked first with file:line errors, then one commit."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.gitflow import git, init_repo
from tsunagu.contribute.answers import HEADER, AnswersError, apply_answers

TODAY = dt.date(2026, 12, 2)


def write_csv(tmp_path, rows: list[dict[str, str]]):
    lines = [",".join(HEADER)] + [",".join(row.get(h, "") for h in HEADER) for row in rows]
    path = tmp_path / "answers.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_every_row_checked_first_with_file_and_line(tmp_path):
    repo = init_repo(tmp_path / "repo")
    path = write_csv(
        tmp_path,
        [
            {"ID": "day-sakura", "新規受入": "可", "確認した相手": "施設長"},
            {"ID": "no-such-record", "新規受入": "受入可", "確認した相手": "施設長"},
            {"ID": "home-aoba", "新規受入": "受入可"},
            {"ID": "yamada-naika", "新規受入": "受入可", "確認した相手": "院長"},
        ],
    )
    with pytest.raises(AnswersError) as exc:
        apply_answers(path, repo / "data", "fax", "city-admin", TODAY)
    assert str(exc.value).splitlines() == [
        f"{path}:2: 新規受入: expected one of 受入可, 条件付きで可, 受入不可, 未回答, 未定; got '可'",
        f"{path}:3: ID: expected the id of a record; got 'no-such-record'",
        f"{path}:4: 確認した相手: expected whom you spoke to or whose FAX this is, such as 施設長; got nothing",
        f"{path}:5: 新規受入: a 医師 has no such answer; leave it empty",
        "4 error(s) found; nothing was written.",
    ]
    assert git(repo, "status", "--porcelain") == ""


def test_one_commit_for_the_round(tmp_path):
    repo = init_repo(tmp_path / "repo")
    path = write_csv(
        tmp_path,
        [
            {"ID": "day-sakura", "新規受入": "受入不可", "空き": "0", "確認した相手": "施設長 山田様"},
            {"ID": "home-aoba", "変更なし": "○", "確認した相手": "管理者"},
            {"ID": "yamada-naika", "連絡しやすい時間帯": "火 9:00-10:00 電話／金 14:00-15:00", "確認した相手": "院長"},
        ],
    )
    plans = apply_answers(path, repo / "data", "fax", "city-admin", TODAY)
    assert [p.record_id for p in plans] == ["day-sakura", "home-aoba", "yamada-naika"]
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"
    assert sorted(git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split()) == [
        "data/physicians/yamada-naika.yaml",
        "data/providers/day-sakura.yaml",
        "data/providers/home-aoba.yaml",
    ]
    sakura = (repo / "data/providers/day-sakura.yaml").read_text()
    assert "confirmed_via: fax\n  confirmed_by: city-admin\n  confirmed_with: 施設長 山田様" in sakura
    assert "vacancies: 0" in sakura
    assert "Tsunagu-Via: fax\nTsunagu-By: city-admin" in git(repo, "log", "-1", "--format=%B")


def test_only_admins_enter_answers(tmp_path):
    repo = init_repo(tmp_path / "repo")
    path = write_csv(tmp_path, [{"ID": "day-sakura", "変更なし": "○", "確認した相手": "施設長"}])
    with pytest.raises(AnswersError, match="--by: expected an admin listed in site.yaml; got 'sakura-day'"):
        apply_answers(path, repo / "data", "phone", "sakura-day", TODAY)
