"""links, stale --format csv and the embedded relay's HTTP checks, as an admin and a browser meet them."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from click.testing import CliRunner

from tests.gitflow import git, init_repo
from tests.relay_support import LINK_KEY, NOW, SEAL_PRIVATE, holder, submission
from tsunagu.cli import cli
from tsunagu.contribute import links as L
from tsunagu.contribute.relay.local import LocalRelay

KEYS = {"TSUNAGU_LINK_KEY": LINK_KEY.hex(), "TSUNAGU_SEAL_KEY": SEAL_PRIVATE}


def test_links_csv_opens_in_excel_and_each_link_verifies(tmp_path):
    repo = init_repo(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "links",
            "--base-url",
            "https://care.example.jp/",
            "--data",
            str(repo / "data"),
            "--group",
            "day-sakura,home-aoba",
            "--today",
            "2026-12-01",
        ],
        env=KEYS,
    )
    assert result.exit_code == 0, result.output
    raw = result.stdout_bytes
    assert raw.startswith("\ufeffid,kind,name,phone,fax,email,url\r\n".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["id"], r["kind"]) for r in rows] == [
        ("day-sakura", "provider"),
        ("home-aoba", "provider"),
        ("yamada-naika", "physician"),
        ("day-sakura home-aoba", "group"),
    ]
    assert rows[2]["name"] == "やまだ内科クリニック 山田 太郎" and rows[0]["phone"] == "029-000-1111"
    for row in rows:
        assert row["url"].startswith("https://care.example.jp/update/#")
        token = L.verify_token(row["url"].split("#")[1], LINK_KEY, NOW)
        assert " ".join(r.id for r in token.records) == row["id"] or row["kind"] == "group"
    assert [r.id for r in L.verify_token(rows[3]["url"].split("#")[1], LINK_KEY, NOW).records] == [
        "day-sakura",
        "home-aoba",
    ]


def test_stale_csv_lists_phone_fax_email_and_link(tmp_path):
    repo = init_repo(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "stale",
            "--format",
            "csv",
            "--base-url",
            "https://care.example.jp/",
            "--data",
            str(repo / "data"),
            "--today",
            "2026-12-01",
        ],
        env=KEYS,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert [(r["id"], r["updated"], r["days"]) for r in rows] == [
        ("home-aoba", "2026-10-01", "61"),
        ("day-sakura", "2026-11-01", "30"),
        ("yamada-naika", "2026-11-10", "21"),
    ]
    assert all(r["url"].startswith("https://care.example.jp/update/#") for r in rows)


def test_embedded_relay_checks_like_the_hosted_one(tmp_path, monkeypatch):
    repo = init_repo(tmp_path)
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    rebuilt = []
    relay = LocalRelay(repo / "data", lambda: rebuilt.append(1), clock=lambda: NOW)
    sealed, receipt, replay = submission(holder("provider", "day-sakura"), "provider", "day-sakura", {"vacancies": 5})
    body = json.dumps(
        {"v": 1, "type": "update", "token": holder("provider", "day-sakura"), "replay": replay, "sealed": sealed}
    ).encode()
    own = "http://127.0.0.1:8000"
    assert relay.post(body, own, own) == (202, {"receipt": receipt})
    assert relay.post(body, own, own) == (202, {"receipt": receipt})  # a retry: same receipt, queued once
    for _ in range(400):  # the worker thread applies it and rebuilds
        if relay.outcome(receipt)[1]["outcome"] != "pending":
            break
        time.sleep(0.05)
    assert relay.outcome(receipt) == (200, {"receipt": receipt, "outcome": "applied", "label": "反映済み"})
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2" and rebuilt == [1]
    forged = holder("provider", "day-sakura", key=bytes(32))
    status, answer = relay.post(body.replace(holder("provider", "day-sakura").encode(), forged.encode()), own, own)
    assert (status, answer["error"]) == (403, "bad_token")
    assert (
        answer["message"]
        == "このリンクは正しくありません。届いた案内のリンクをもう一度開くか、事務局にお問い合わせください。"
    )
    assert relay.post(body, "https://evil.example", own)[0] == 400
    assert relay.post(body, "https://127.0.0.1:8000", own) == (202, {"receipt": receipt})  # behind a TLS proxy
    assert relay.post(b"{" * 40000, own, own)[0] == 413
    for _ in range(29):  # one link: 30 submissions an hour, then 429 with a Japanese message
        _, _, replay = submission(holder("provider", "day-sakura"), "provider", "day-sakura", {"vacancies": 5})
        fresh = json.loads(body)
        fresh["replay"] = replay
        assert relay.post(json.dumps(fresh).encode(), own, own, "10.0.0.1")[0] == 202
    fresh["replay"] = submission(holder("provider", "day-sakura"), "provider", "day-sakura", {"vacancies": 5})[2]
    assert relay.post(json.dumps(fresh).encode(), own, own, "10.0.0.1") == (
        429,
        {"error": "rate_limited", "message": "送信が多すぎます。しばらくしてからもう一度お試しください。"},
    )


def test_links_outside_git_without_keys_says_what_to_do(tmp_path, monkeypatch, capsys):
    import shutil

    from tests.gitflow import FIXTURE
    from tsunagu.cli import main

    shutil.copytree(FIXTURE, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setattr("sys.argv", ["build.py", "links", "--base-url", "https://care.example.jp/"])
    # capsys, not a patched console.file: undoing that patch would pin the console to this test's stderr for good.
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 1
    assert capsys.readouterr().err.strip() == (
        "data: not in a git repository: run `git init` where data/ is (the local run keeps its keys in .git/), "
        "or set TSUNAGU_LINK_KEY and TSUNAGU_SEAL_KEY (python build.py link-keys)"
    )
