"""The relay handler under the platforms' own local runtimes, against a local stand-in of the forge API.

miniflare (workerd) runs it as a Worker and as a Pages Function; `netlify functions:serve --offline` runs it
as a Netlify Function. Each runtime starts once for this module; every test runs on each of them.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import tools
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from forge import APP_ID, BOT, INSTALLATION, OWNER, REPO, Forge, serve
from tools import ROOT

from tests.gitflow import git, init_repo
from tsunagu.contribute.links import (
    ADMIN,
    HOLDER,
    NOTE,
    Ref,
    Token,
    b64,
    link_id,
    make_token,
    receipt_of,
    relay_key,
    unb64,
)
from tsunagu.contribute.relay.drain import drain, issue_tag, parse_issue
from tsunagu.contribute.relay.seal import new_private_key, private_key, public_key_text, seal, unseal

pytestmark = pytest.mark.slow  # local runtimes and subprocesses: seconds each
LINK_KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
SITE = "https://sakura.example"
RUNTIMES = ["worker", "pages", "netlify"]
PER_LINK = 3


@pytest.fixture(scope="module")
def forge():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # PKCS#1, as GitHub hands out an App's private key: the relay wraps it for WebCrypto.
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    stand_in = Forge(key.public_key())
    server = serve(stand_in)
    stand_in.pem = pem
    stand_in.url = f"http://127.0.0.1:{server.server_port}"
    yield stand_in
    server.shutdown()


def settings(forge: Forge, **extra: str) -> dict[str, str]:
    return {
        "TSUNAGU_RELAY_KEY": relay_key(LINK_KEY).hex(),
        "TSUNAGU_SITE_ORIGIN": SITE,
        "GITHUB_APP_ID": APP_ID,
        "GITHUB_APP_PRIVATE_KEY": forge.pem,
        "GITHUB_INSTALLATION_ID": INSTALLATION,
        "GITHUB_REPOSITORY": f"{OWNER}/{REPO}",
        "GITHUB_API_URL": forge.url,
        "TSUNAGU_LIMIT_LINK": str(PER_LINK),
        "TSUNAGU_LIMIT_ADDRESS": "1000",
        **extra,
    }


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the runtime stopped before it served"
        try:
            if call(url, "/api/update", method="GET")[0] == 405:
                return
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
            pass  # not listening yet, or listening and dropping connections while it starts (netlify-cli does)
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up within {seconds} s")


@pytest.fixture(scope="module")
def relays(forge, tmp_path_factory):
    miniflare, netlify = tools.miniflare(), tools.netlify_cli()
    folder = tmp_path_factory.mktemp("relays")
    entries = [
        {"name": "worker", "kind": "worker", "bindings": settings(forge)},
        {"name": "pages", "kind": "pages", "bindings": settings(forge)},
        {"name": "address-limited", "kind": "worker", "bindings": settings(forge, TSUNAGU_LIMIT_ADDRESS="3")},
        {
            "name": "misconfigured",
            "kind": "worker",
            "bindings": settings(forge, GITHUB_APP_PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n"),
        },
    ]
    (folder / "entries.json").write_text(json.dumps(entries), encoding="utf-8")
    workerd = subprocess.Popen(
        ["node", str(ROOT / "tests" / "relay" / "runtimes.mjs"), str(folder / "entries.json")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "MINIFLARE_MODULE": str(miniflare)},
    )
    port = 20000 + secrets.randbelow(20000)
    site = folder / "netlify-site"  # netlify-cli writes .netlify/ where it runs: not in the checkout
    site.mkdir()
    log = open(folder / "netlify.log", "w")
    netlify_process = subprocess.Popen(
        [
            "node",
            str(netlify),
            "functions:serve",
            "--offline",
            "--functions",
            str(ROOT / "relay" / "netlify" / "functions"),
            "--port",
            str(port),
        ],
        cwd=site,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **settings(forge), "NETLIFY_TELEMETRY_DISABLED": "1"},
    )
    try:
        urls = json.loads(workerd.stdout.readline())
        urls["netlify"] = f"http://127.0.0.1:{port}/"
        wait_until_up(urls["netlify"], netlify_process)
        yield urls
    finally:
        workerd.stdin.close()
        workerd.wait(timeout=30)
        netlify_process.terminate()
        netlify_process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def seal_key():
    private = new_private_key()
    return private, public_key_text(private)


def call(
    base: str, path: str, body: dict | bytes | None = None, method: str = "POST", headers: dict | None = None
) -> tuple[int, dict, Any]:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw, status, head = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, head = error.read(), error.code, error.headers
    try:
        return status, (json.loads(raw) if raw else {}), head
    except ValueError:
        return status, {"text": raw.decode(errors="replace")}, head  # e.g. netlify-cli's own 404 while starting


def holder(record: str, key: bytes = LINK_KEY, expiry: int = 0, purpose: int = HOLDER) -> str:
    return make_token(Token(purpose, expiry, (Ref("provider", record, 1),)), key)


def submission(token: str, seal_public: str, answers: dict | None = None, kind: str = "update") -> dict:
    replay_bytes = secrets.token_bytes(16)
    replay, receipt = b64(replay_bytes), receipt_of(replay_bytes)
    plain = {
        "v": 1,
        "type": kind,
        "token": token,
        "replay": replay,
        "receipt": receipt,
        "record": {"kind": "provider", "id": "day-sakura"},
        "confirm_only": False,
        "answers": answers if answers is not None else {"new_clients": "not_accepting"},
        "proxy": None,
        "note": None,
        "sent_at": "2026-12-06T10:00:00+09:00",
    }
    sealed = seal(json.dumps(plain, ensure_ascii=False).encode(), seal_public, receipt)
    return {"v": 1, "type": kind, "token": token, "replay": replay, "sealed": sealed}


def fresh(runtime: str, what: str) -> str:
    """A record id no other test uses, so each test's link starts with no history."""
    return f"{runtime}-{what}-{secrets.token_hex(3)}"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_one_sealed_issue_per_submission_with_a_token_for_issues_write_only(runtime, relays, forge, seal_key):
    sent = submission(holder(fresh(runtime, "one")), seal_key[1])
    before, issues = len(forge.requests), len(forge.issues)
    status, answer, headers = call(relays[runtime], "/api/update", sent, headers={"Origin": SITE})
    receipt = receipt_of(unb64(sent["replay"]))
    assert (status, answer) == (202, {"receipt": receipt})
    assert headers["Cache-Control"] == "no-store"
    assert len(forge.issues) == issues + 1
    issue = forge.issues[-1]
    link = link_id(sent["token"])
    assert issue["title"] == f"tsunagu update {receipt}"
    body = f"tsunagu-relay: 1\ntype: update\nreceipt: {receipt}\nlink: {link}\nsealed: {sent['sealed']}\n"
    assert issue["body"] == body + f"tag: {issue_tag(relay_key(LINK_KEY), issue['title'], body)}\n"
    # The repository's own strict reading accepts it as the relay's (and would refuse it edited).
    assert parse_issue(issue, BOT, relay_key(LINK_KEY)) == ("update", receipt, link, sent["sealed"])
    assert parse_issue({**issue, "title": issue["title"] + " "}, BOT, relay_key(LINK_KEY)) is None
    assert [x["name"] for x in issue["labels"]] == ["tsunagu-relay"]
    assert "not_accepting" not in json.dumps(forge.requests[before:])  # no status in clear on the wire
    opened = json.loads(unseal(sent["sealed"], private_key(seal_key[0]), receipt))
    assert opened["answers"] == {"new_clients": "not_accepting"} and opened["token"] == sent["token"]
    mints = [r for r in forge.requests[before:] if r["path"].endswith("/access_tokens")]
    assert [m["body"] for m in mints] == [{"repositories": [REPO], "permissions": {"issues": "write"}}]
    assert all(t["revoked"] for t in forge.tokens.values())  # each request's token is revoked after
    # A retry of the same submission (its answer lost) makes no second issue and gives the same receipt.
    assert call(relays[runtime], "/api/update", sent)[:2] == (202, {"receipt": receipt})
    assert len(forge.issues) == issues + 1


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_get_changes_nothing(runtime, relays, forge, seal_key):
    sent = submission(holder(fresh(runtime, "get")), seal_key[1])
    before = len(forge.requests)
    query = "?" + "&".join(f"{k}={v}" for k, v in sent.items())
    for method in ("GET", "HEAD", "PUT", "DELETE"):
        status, _, headers = call(relays[runtime], "/api/update" + query, method=method)
        assert (status, headers["Allow"]) == (405, "POST")
    assert forge.requests[before:] == []


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_bad_or_expired_link_never_reaches_the_forge(runtime, relays, forge, seal_key):
    good = holder(fresh(runtime, "bad"))
    raw = bytearray(unb64(good))
    raw[-1] ^= 1
    cases = {
        b64(bytes(raw)): "bad_token",  # relay tag flipped
        holder(fresh(runtime, "other"), key=OTHER_KEY): "bad_token",  # another link key
        "A" * 60: "bad_token",  # random
        holder(fresh(runtime, "old"), expiry=1): "expired",  # expired in 1970
        make_token(Token(NOTE, 0, (Ref("provider", "day-sakura", 1),)), LINK_KEY): "bad_token",
    }  # a note token
    before = len(forge.requests)
    for token, reason in cases.items():
        status, answer, _ = call(relays[runtime], "/api/update", submission(token, seal_key[1]))
        assert (status, answer["error"]) == (403, reason), token
        assert answer["message"].startswith("このリンクは")
    assert forge.requests[before:] == []


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_submission_in_clear_is_refused_before_the_forge(runtime, relays, forge, seal_key):
    sent = submission(holder(fresh(runtime, "clear")), seal_key[1])
    clear = b64(b"\x01" + json.dumps({"new_clients": "not_accepting", "pad": "x" * 120}).encode())
    before = len(forge.requests)
    for body in (
        {**sent, "sealed": clear},  # status in clear, not a sealed box
        {**sent, "answers": {"new_clients": "not_accepting"}},  # a key beside the sealed box
        {**sent, "replay": "short"},
        b"not json",
        b"[1]",
    ):
        status, answer, _ = call(relays[runtime], "/api/update", body)
        assert (status, answer) == (400, {"error": "bad_request", "message": "送信内容を読み取れませんでした。"})
    status, answer, _ = call(relays[runtime], "/api/update", sent, headers={"Origin": "https://evil.example"})
    assert (status, answer["error"]) == (400, "bad_request")
    status, answer, _ = call(relays[runtime], "/api/update", b"{" + b" " * 40000 + b"}")
    assert (status, answer["error"]) == (413, "too_large")
    assert forge.requests[before:] == []


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_rate_limit_per_link(runtime, relays, forge, seal_key):
    token = holder(fresh(runtime, "burst"))
    for _ in range(PER_LINK):
        assert call(relays[runtime], "/api/update", submission(token, seal_key[1]))[0] == 202
    issues = len(forge.issues)
    status, answer, headers = call(relays[runtime], "/api/update", submission(token, seal_key[1]))
    assert (status, answer["error"], headers["Retry-After"]) == (429, "rate_limited", "600")
    assert len(forge.issues) == issues
    # Another link is not held back by this one.
    assert call(relays[runtime], "/api/update", submission(holder(fresh(runtime, "calm")), seal_key[1]))[0] == 202


def test_rate_limit_per_address(relays, forge, seal_key):
    # Per client address the limit is the instance's memory (and a platform limiter where bound): workerd keeps
    # one instance, so it shows here; netlify functions:serve loads the function afresh for every request.
    base = relays["address-limited"]
    results = [
        call(base, "/api/update", submission(holder(fresh("address", str(n))), seal_key[1]))[0] for n in range(4)
    ]
    assert results == [202, 202, 202, 429]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_receipt_shows_the_outcome_the_workflow_labels(runtime, relays, forge, seal_key):
    sent = submission(holder(fresh(runtime, "receipt")), seal_key[1])
    receipt = call(relays[runtime], "/api/update", sent)[1]["receipt"]
    assert call(relays[runtime], f"/api/receipt/{receipt}", method="GET")[:2] == (
        200,
        {"receipt": receipt, "outcome": "pending", "label": "処理中"},
    )
    issue = next(i for i in forge.issues if i["title"].endswith(receipt))
    issue["labels"].append({"name": "tsunagu-outcome:refused:revoked"})
    before = len(forge.requests)
    status, answer, _ = call(relays[runtime], f"/api/receipt/{receipt}", method="GET")
    assert (status, answer["outcome"], answer["label"], answer["reason"]) == (
        200,
        "refused",
        "受け付けできませんでした",
        "revoked",
    )
    assert answer["message"].startswith("このリンクは無効になりました")
    mints = [r["body"] for r in forge.requests[before:] if r["path"].endswith("/access_tokens")]
    assert mints == [{"repositories": [REPO], "permissions": {"issues": "read"}}]
    issue["labels"][-1] = {"name": "tsunagu-outcome:applied"}
    assert call(relays[runtime], f"/api/receipt/{receipt}", method="GET")[1] == {
        "receipt": receipt,
        "outcome": "applied",
        "label": "反映済み",
    }
    assert call(relays[runtime], "/api/receipt/not-a-receipt", method="GET")[0] == 400
    assert call(relays[runtime], f"/api/receipt/{receipt}", {})[0] == 405


def test_admin_links_and_notes_take_their_own_paths(relays, forge, seal_key):
    base = relays["worker"]
    admin = make_token(Token(ADMIN, 2**32 - 1, (), "city-admin"), LINK_KEY)
    assert call(base, "/api/update", submission(admin, seal_key[1]))[0] == 202
    assert call(base, "/api/update", submission(admin, seal_key[1], kind="note"))[1]["error"] == "bad_token"
    note = make_token(Token(NOTE, 0, (Ref("physician", fresh("note", "x"), 1),)), LINK_KEY)
    assert call(base, "/api/update", submission(note, seal_key[1], answers={}, kind="note"))[0] == 202
    assert forge.issues[-1]["title"].startswith("tsunagu note ")


def test_cross_origin_preflight_names_the_site_only(relays):
    status, _, headers = call(relays["worker"], "/api/update", method="OPTIONS", headers={"Origin": SITE})
    assert status == 204
    assert (headers["Access-Control-Allow-Origin"], headers["Access-Control-Allow-Methods"]) == (SITE, "POST")


def test_vectors_match_the_python_reference():
    out = subprocess.run(
        ["node", str(ROOT / "tests" / "relay" / "vectors.mjs"), str(ROOT / "tests" / "vectors" / "relay-token.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(out.stdout)
    want = json.loads((ROOT / "tests" / "vectors" / "relay-token.json").read_text(encoding="utf-8"))
    assert [(t["name"], t["relay"]) for t in got["tokens"]] == [(t["name"], t["relay"]) for t in want["tokens"]]
    assert [t.get("decoded") for t in got["tokens"]] == [
        t.get("decoded") if t["relay"] == "ok" else None for t in want["tokens"]
    ]
    assert got["receipts"] == want["receipts"] and got["link_ids"] == want["link_ids"]
    assert want["issue"]["body"].endswith(f"\ntag: {got['issue_tag']}\n")


def test_no_secret_or_dependency_in_the_handler():
    for path in sorted((ROOT / "relay").rglob("*.*js")):
        text = path.read_text(encoding="utf-8")
        sources = re.findall(r'(?:from|import)\s+"([^"]+)"', text) + re.findall(r"import\(([^)]*)\)", text)
        assert all(s.startswith(("./", "../")) for s in sources), (path, sources)
        assert "console.log" not in text, path
    assert not list(Path(ROOT / "relay").rglob("package.json"))


def test_the_repository_applies_what_the_relay_filed(relays, forge, seal_key, tmp_path):
    # End to end without the browser: a submission through the Worker, the issue as the forge stand-in holds it,
    # drained by the repository's own code into a git repository of the fixture data.
    repo = init_repo(tmp_path)
    sent = submission(holder("day-sakura"), seal_key[1])
    receipt = call(relays["worker"], "/api/update", sent)[1]["receipt"]
    issue = next(i for i in forge.issues if i["title"] == f"tsunagu update {receipt}")
    outcomes = drain(
        [issue],
        BOT,
        data_dir=repo / "data",
        link_key=LINK_KEY,
        seal_text=seal_key[0],
        now=int(time.time()),
        today=dt.date(2026, 12, 2),
    )
    assert [(o["number"], o["receipt"], o["outcome"]) for o in outcomes] == [(issue["number"], receipt, "applied")]
    record = (repo / "data" / "providers" / "day-sakura.yaml").read_text(encoding="utf-8")
    assert "new_clients: not_accepting" in record and "confirmed_via: link" in record
    assert f"Tsunagu-Receipt: {receipt}" in git(repo, "log", "-1", "--format=%B")


def test_a_broken_setting_fails_closed_and_says_nothing_of_it(relays, forge, seal_key):
    before = len(forge.requests)
    status, answer, _ = call(
        relays["misconfigured"], "/api/update", submission(holder(fresh("broken", "x")), seal_key[1])
    )
    assert (status, answer) == (
        502,
        {"error": "unavailable", "message": "ただいま送信できません。しばらくしてからもう一度お試しください。"},
    )
    assert forge.requests[before:] == []


def test_a_label_github_dropped_is_added_after(relays, forge, seal_key):
    forge.drop_labels = True
    try:
        sent = submission(holder(fresh("dropped", "x")), seal_key[1])
        assert call(relays["worker"], "/api/update", sent)[0] == 202
    finally:
        forge.drop_labels = False
    assert [x["name"] for x in forge.issues[-1]["labels"]] == ["tsunagu-relay"]
