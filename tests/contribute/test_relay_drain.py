"""The workflow's drain: relay issues read strictly, by who opened them and the relay's tag; edits apply nothing."""

from __future__ import annotations

import datetime as dt

from tests.gitflow import git, init_repo
from tests.relay_support import LINK_KEY, NOW, SEAL_PRIVATE, holder, submission
from tsunagu.contribute.links import link_id, relay_key
from tsunagu.contribute.relay.drain import drain, issue_text

BOT = "tsunagu-relay[bot]"
TODAY = dt.date(2026, 12, 2)


def issue(number: int, answers: dict, *, user: str = BOT, record: str = "day-sakura", edit=None) -> dict:
    token = holder("provider", record)
    sealed, receipt, _ = submission(token, "provider", record, answers)
    title, body = issue_text(relay_key(LINK_KEY), "update", receipt, link_id(token), sealed)
    if edit:
        title, body = edit(title, body)
    return {
        "number": number,
        "title": title,
        "body": body,
        "user": {"login": user},
        "labels": [{"name": "tsunagu-relay"}],
    }


def run(repo, issues):
    return drain(issues, BOT, data_dir=repo / "data", link_key=LINK_KEY, seal_text=SEAL_PRIVATE, now=NOW, today=TODAY)


def test_drains_every_relay_issue_in_order_and_ignores_others(tmp_path):
    repo = init_repo(tmp_path)
    issues = [
        issue(7, {"vacancies": 1}),
        issue(5, {"new_clients": "not_accepting"}),
        issue(6, {"vacancies": 4}, user="someone"),
        issue(8, {"conditions": "詳しくは example.com/login へ"}),
    ]
    outcomes = run(repo, issues)
    assert [(o["number"], o["outcome"], o["branch"]) for o in outcomes] == [
        (5, "applied", None),
        (7, "applied", None),
        (8, "review", "update/day-sakura-1"),
    ]
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "3"
    assert "vacancies: 4" not in (repo / "data/providers/day-sakura.yaml").read_text()


def test_an_edited_relay_issue_applies_nothing(tmp_path):
    repo = init_repo(tmp_path)
    other = issue(1, {"new_clients": "accepting"}, record="home-aoba")
    swapped = issue(
        2,
        {"vacancies": 1},
        edit=lambda t, b: (
            t,
            b.replace(b.split("sealed: ")[1].split("\n")[0], other["body"].split("sealed: ")[1].split("\n")[0]),
        ),
    )
    retitled = issue(3, {"vacancies": 1}, edit=lambda t, b: (t.replace("update", "note"), b))
    outcomes = run(repo, [swapped, retitled])
    assert [(o["number"], o["outcome"], o["reason"]) for o in outcomes] == [
        (2, "refused", "invalid"),
        (3, "refused", "invalid"),
    ]
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_replayed_issue_changes_nothing_twice(tmp_path):
    repo = init_repo(tmp_path)
    first = issue(1, {"vacancies": 2})
    again = {**first, "number": 2}
    outcomes = run(repo, [first, again])
    assert [o["outcome"] for o in outcomes] == ["applied", "applied"]
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"
