"""A sealed submission from a link becomes a minimal commit of one record, waits for review, or is refused."""

from __future__ import annotations

import datetime as dt
import subprocess

from tests.gitflow import git, init_repo
from tests.relay_support import LINK_KEY, NOW, SEAL_PRIVATE, admin, holder, submission
from tsunagu.contribute.relay.process import process
from tsunagu.contribute.relay.seal import private_key

TODAY = dt.date(2026, 12, 2)


def run(repo, sealed, receipt, **kw):
    return process(
        sealed,
        receipt,
        data_dir=repo / "data",
        link_key=LINK_KEY,
        private=private_key(SEAL_PRIVATE),
        now=NOW,
        today=TODAY,
        **kw,
    )


def changed_files(repo, rev="HEAD"):
    return git(repo, "diff", "--name-only", f"{rev}~1", rev).split()


def test_link_sets_new_clients_and_only_that_file_changes(tmp_path):
    repo = init_repo(tmp_path)
    sealed, receipt, replay = submission(
        holder("provider", "day-sakura"), "provider", "day-sakura", {"new_clients": "not_accepting"}
    )
    result = run(repo, sealed, receipt)
    assert result.public() == {"receipt": receipt, "outcome": "applied", "label": "反映済み"}
    assert changed_files(repo) == ["data/providers/day-sakura.yaml"]
    diff = git(repo, "diff", "HEAD~1", "HEAD", "--", "data/providers/day-sakura.yaml")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [
        "-  updated: 2026-11-01                  # date of the last confirmation",
        "-  new_clients: accepting               # 新規利用者の受入れ",
    ]
    text = (repo / "data/providers/day-sakura.yaml").read_text()
    assert "  new_clients: not_accepting           # 新規利用者の受入れ" in text
    assert "  confirmed_via: link\n" in text and "updated: 2026-12-02" in text
    msg = git(repo, "log", "-1", "--format=%B")
    assert f"Tsunagu-Receipt: {receipt}\nTsunagu-Replay: {replay}\nTsunagu-Via: link" in msg
    assert "新規受入: 受入可 → 受入不可" in msg


def test_replay_changes_nothing_twice(tmp_path):
    repo = init_repo(tmp_path)
    sealed, receipt, _ = submission(holder("provider", "day-sakura"), "provider", "day-sakura", {"vacancies": 2})
    assert run(repo, sealed, receipt).outcome == "applied"
    head = git(repo, "rev-parse", "HEAD")
    assert run(repo, sealed, receipt).outcome == "applied"
    assert git(repo, "rev-parse", "HEAD") == head


def test_link_for_one_record_cannot_change_another(tmp_path):
    repo = init_repo(tmp_path)
    sealed, receipt, _ = submission(
        holder("provider", "day-sakura"), "provider", "home-aoba", {"new_clients": "accepting"}
    )
    result = run(repo, sealed, receipt)
    assert (result.outcome, result.reason) == ("refused", "not_allowed")
    assert result.public()["message"] == "このリンクでは、この情報は変更できません。"
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_tampered_and_revoked_links_are_refused_without_commit(tmp_path):
    repo = init_repo(tmp_path)
    forged = holder("provider", "day-sakura", key=bytes(32))
    sealed, receipt, _ = submission(forged, "provider", "day-sakura", {"new_clients": "accepting"})
    assert run(repo, sealed, receipt).reason == "bad_token"
    path = repo / "data/providers/day-sakura.yaml"
    path.write_text(path.read_text().replace("maintainers: [sakura-day]", "maintainers: [sakura-day]\nlink_version: 2"))
    git(repo, "commit", "-qam", "revoke the link")
    sealed, receipt, _ = submission(
        holder("provider", "day-sakura", 1), "provider", "day-sakura", {"new_clients": "accepting"}
    )
    result = run(repo, sealed, receipt)
    assert (
        result.public()["message"]
        == "このリンクは無効になりました（新しいリンクが発行されています）。事務局にお問い合わせください。"
    )
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"
    assert git(repo, "status", "--porcelain") == ""


def test_conditions_with_a_url_wait_for_review_on_a_branch(tmp_path):
    repo = init_repo(tmp_path)
    text = "再ログインしてください ｈｔｔｐｓ：／／evil.example/login"
    sealed, receipt, _ = submission(holder("provider", "day-sakura"), "provider", "day-sakura", {"conditions": text})
    result = run(repo, sealed, receipt)
    assert (result.outcome, result.branch) == ("review", "update/day-sakura-1")
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"  # nothing published
    assert changed_files(repo, "update/day-sakura-1") == ["data/providers/day-sakura.yaml"]
    assert git(repo, "status", "--porcelain") == ""


def test_operation_closed_waits_for_review(tmp_path):
    repo = init_repo(tmp_path)
    sealed, receipt, _ = submission(holder("provider", "day-sakura"), "provider", "day-sakura", {"operation": "closed"})
    assert run(repo, sealed, receipt).outcome == "review"


def test_physician_confirm_only_changes_only_the_date(tmp_path):
    repo = init_repo(tmp_path)
    sealed, receipt, _ = submission(holder("physician", "yamada-naika"), "physician", "yamada-naika", confirm_only=True)
    assert run(repo, sealed, receipt).outcome == "applied"
    diff = git(repo, "diff", "-U0", "HEAD~1", "HEAD").splitlines()
    assert [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")] == [
        "-  updated: 2026-11-10",
        "+  updated: 2026-12-02",
        "+  confirmed_via: link",
    ]


def test_physician_windows_publish_themselves(tmp_path):
    repo = init_repo(tmp_path)
    windows = [{"days": ["tue"], "time": "9:00-10:00", "methods": ["phone"]}]
    sealed, receipt, _ = submission(
        holder("physician", "yamada-naika"), "physician", "yamada-naika", {"windows": windows}
    )
    assert run(repo, sealed, receipt).outcome == "applied"
    text = (repo / "data/physicians/yamada-naika.yaml").read_text()
    assert '- days: [tue]\n      time: "09:00-10:00"\n      methods: [phone]' in text
    assert "methods: [fax, phone]   # most preferred first" in text


def test_admin_proxy_records_how_and_with_whom(tmp_path):
    repo = init_repo(tmp_path)
    sealed, receipt, _ = submission(
        admin(), "provider", "home-aoba", {"new_clients": "accepting"}, proxy={"via": "fax", "with": "管理者 青葉様"}
    )
    assert run(repo, sealed, receipt).outcome == "applied"
    text = (repo / "data/providers/home-aoba.yaml").read_text()
    assert "confirmed_via: fax\n  confirmed_by: city-admin\n  confirmed_with: 管理者 青葉様" in text


def test_a_holder_link_cannot_claim_a_proxy(tmp_path):
    repo = init_repo(tmp_path)
    sealed, receipt, _ = submission(
        holder("provider", "day-sakura"),
        "provider",
        "day-sakura",
        {"new_clients": "accepting"},
        proxy={"via": "phone", "with": "誰か"},
    )
    assert run(repo, sealed, receipt).reason == "not_allowed"


def test_a_blob_moved_to_another_receipt_does_not_open(tmp_path):
    repo = init_repo(tmp_path)
    sealed, _, _ = submission(holder("provider", "day-sakura"), "provider", "day-sakura", {"vacancies": 1})
    _, other, _ = submission(holder("provider", "day-sakura"), "provider", "day-sakura", {"vacancies": 1})
    assert run(repo, sealed, other).reason == "unsealed"
    assert subprocess.run(["git", "diff", "--quiet"], cwd=repo).returncode == 0


def test_a_pull_request_cannot_claim_a_link_confirmation():
    from tsunagu.contribute.gate import classify_record
    from tsunagu.contribute.owners import Owners

    before = {"name": "x", "status": {"updated": "2026-11-01", "new_clients": "accepting"}}
    after = {"name": "x", "status": {"updated": "2026-12-02", "new_clients": "not_accepting", "confirmed_via": "link"}}
    owners = Owners(["city-admin"], {"providers/x.yaml": ["x-day"]})
    assert classify_record("providers", before, after, "x-day", owners) == [
        "リンクでの確認（confirmed_via: link）は更新リンクからの送信だけが記録します"
    ]
