"""From a fresh clone: `links`, `serve --relay`, a provider's link at 390 px with no account, and the change in git
and on the unlocked site; 変更なし on a physician's link; a tampered link refused (issue 19, done-when)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import require_chromium
from tools import ROOT

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.config import DEMO_PASSWORD, Config
from tsunagu.render.pages import make_entries

pytestmark = pytest.mark.browser


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def relay_site(tmp_path_factory):
    """The demo data as a region repository of its own, its links, and `serve --relay` running on it."""
    require_chromium()
    repo = tmp_path_factory.mktemp("region")
    shutil.copytree(ROOT / "data", repo / "data")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(repo)}
    # The clock the suite runs under (libfaketime's variables, on a run at another date), so the links'
    # expiry and the browser's clock agree.
    env.update({k: v for k, v in os.environ.items() if k in ("LD_PRELOAD", "FAKETIME")})
    cli = [sys.executable, str(ROOT / "build.py")]
    out = subprocess.run(
        [*cli, "links", "--base-url", base, "--data", "data"], cwd=repo, env=env, check=True, capture_output=True
    ).stdout
    assert out.startswith(b"\xef\xbb\xbfid,kind,name,phone,fax,email,url\r\n")
    links = {row["id"]: row for row in csv.DictReader(io.StringIO(out.decode("utf-8-sig")))}
    server = subprocess.Popen(
        [*cli, "serve", "--relay", "--data", "data", "--out", str(repo / "site"), "--port", str(port), "--no-watch"],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
        directory = validate_tree(load_tree(repo / "data"), __import__("datetime").date(2026, 12, 1))
        providers, physicians = make_entries(directory, Config(data_dir=repo / "data", out_dir=repo / "site"))
        paths = {e.record.id: e.path for e in providers + physicians}
        admin = subprocess.run(
            [*cli, "admin-link", "--base-url", base, "--data", "data", "--login", "city-admin"],
            cwd=repo,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        yield {"repo": repo, "url": base, "links": links, "paths": paths, "admin": admin}
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    yield context.new_page()
    context.close()


def _unlock(page, url: str) -> None:
    page.goto(url + "unlock/")
    page.wait_for_selector("#unlock-form:not([hidden])")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/(index\.html)?$"))


def _wait_outcome(page, label: str) -> None:
    page.get_by_role("status").filter(has_text=label).wait_for(timeout=60_000)


def test_provider_sets_new_clients_by_link(relay_site, phone):
    repo, url = relay_site["repo"], relay_site["url"]
    head = _git(repo, "rev-parse", "HEAD").strip()
    _unlock(phone, url)  # this device holds the site key: the questions come prefilled
    link = relay_site["links"]["day-sakura"]["url"]
    phone.goto(link)
    phone.wait_for_selector("#provider-form:not([hidden])")
    assert "#" not in phone.url  # the secret left the address bar
    assert phone.locator('meta[name="referrer"]').get_attribute("content") == "no-referrer"
    group = phone.get_by_role("radiogroup", name="新規受入")
    assert group.get_by_role("radio", name="受入可", exact=True).is_checked()  # prefilled
    group.get_by_role("radio", name="受入不可", exact=True).check()
    phone.get_by_role("button", name="変更内容を確認する").click()
    assert phone.locator("#review-list").inner_text() == "新規受入: 受入可 → 受入不可"
    phone.get_by_role("button", name="送信", exact=True).click()
    phone.locator("#receipt-number").filter(has_text=re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")).wait_for()
    assert "数分でサイトに反映されます" in phone.locator("#receipt").inner_text()
    _wait_outcome(phone, "反映済み")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert _git(repo, "diff", "--name-only", head, "HEAD").split() == ["data/providers/day-sakura.yaml"]
    text = (repo / "data/providers/day-sakura.yaml").read_text(encoding="utf-8")
    assert "new_clients: not_accepting" in text and "confirmed_via: link" in text
    assert _git(repo, "status", "--porcelain", "--", "data") == ""
    phone.goto(url + relay_site["paths"]["day-sakura"])
    status = phone.locator(".status-box")
    assert status.locator("li").filter(has_text="新規受入").inner_text().split() == ["新規受入", "×受入不可"]
    assert "（確認方法: 本人が更新用リンクで回答）" in status.inner_text()


def test_physician_confirm_only_changes_only_the_date(relay_site, phone):
    repo = relay_site["repo"]
    head = _git(repo, "rev-parse", "HEAD").strip()
    phone.goto(relay_site["links"]["yamada-naika"]["url"])  # no site key here: questions start blank
    phone.get_by_role("button", name="変更なし（確認のみ）").click()
    _wait_outcome(phone, "反映済み")
    diff = _git(repo, "diff", "-U0", head, "HEAD").splitlines()
    assert [d for d in diff if d.startswith("diff ")] == [
        "diff --git a/data/physicians/yamada-naika.yaml b/data/physicians/yamada-naika.yaml"
    ]
    changed = [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")]
    assert len(changed) == 3 and changed[0].startswith("-  updated: ") and changed[1].startswith("+  updated: ")
    assert changed[2] == "+  confirmed_via: link"


def test_tampered_link_is_refused_and_changes_nothing(relay_site, phone):
    repo = relay_site["repo"]
    head = _git(repo, "rev-parse", "HEAD").strip()
    link = relay_site["links"]["day-sakura"]["url"]
    token = link.split("#", 1)[1]
    flipped = token[:-20] + ("A" if token[-20] != "A" else "B") + token[-19:]  # a byte of the MAC
    phone.goto(link.split("#", 1)[0] + "#" + flipped)
    phone.get_by_role("radiogroup", name="代替支援").get_by_role("radio", name="受入不可", exact=True).check()
    phone.get_by_role("button", name="変更内容を確認する").click()
    phone.get_by_role("button", name="送信", exact=True).click()
    alert = phone.locator("#link-error")
    alert.wait_for()
    assert (
        alert.inner_text()
        == "このリンクは正しくありません。届いた案内のリンクをもう一度開くか、事務局にお問い合わせください。"
    )
    assert _git(repo, "rev-parse", "HEAD").strip() == head
    with pytest.raises(urllib.error.HTTPError) as got:  # a GET changes nothing
        urllib.request.urlopen(relay_site["url"] + "api/update")
    assert got.value.code == 405


def test_care_manager_reports_wrong_information_sealed(relay_site, phone):
    repo, url = relay_site["repo"], relay_site["url"]
    head = _git(repo, "rev-parse", "HEAD").strip()
    _unlock(phone, url)
    phone.goto(url + relay_site["paths"]["day-tokodai"])
    assert "github" not in phone.content().lower()
    phone.get_by_text("情報が違う", exact=True).click()
    phone.get_by_label(re.compile("^どこが違うか")).fill("電話番号が変わっています（テスト）")
    phone.get_by_role("button", name="事務局に送る").click()
    phone.get_by_role("status").filter(has_text="事務局に送りました").wait_for()
    notes = repo / ".git" / "tsunagu" / "notes.jsonl"
    for _ in range(100):  # the relay's worker writes it once it has opened the note
        if notes.exists():
            break
        phone.wait_for_timeout(100)
    assert "電話番号が変わっています（テスト）" in notes.read_text(encoding="utf-8")
    assert _git(repo, "rev-parse", "HEAD").strip() == head


def test_update_page_is_accessible_on_a_360px_phone(relay_site, browser):
    from test_browser_a11y import axe_violations

    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True, locale="ja-JP")
    page = context.new_page()
    found = {}
    for record in ("day-sakura", "yamada-naika"):
        page.goto(relay_site["links"][record]["url"])
        page.get_by_role("button", name="変更なし（確認のみ）").wait_for()
        page.get_by_role("button", name="時間帯を追加").click() if record == "yamada-naika" else None
        found[record] = axe_violations(page)
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (record, width)
        small = page.evaluate("""() => [...document.querySelectorAll('main button, main select, main input')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim() || e.name || e.type, e.getBoundingClientRect().height])
            .filter(([, h]) => h < 22)""")
        assert small == [], (record, small)
    context.close()
    assert {k: v for k, v in found.items() if v} == {}


def test_a_lost_response_is_sent_again_and_arrives_once(relay_site, phone):
    repo = relay_site["repo"]
    head = _git(repo, "rev-parse", "HEAD").strip()
    posts = []

    def flaky(route):
        posts.append(route.request.post_data)
        if len(posts) == 1:
            route.abort("connectionreset")  # the first try never reaches the relay
        else:
            route.continue_()

    phone.route("**/api/update", flaky)
    phone.goto(relay_site["links"]["day-minamidai"]["url"])
    phone.get_by_role("radiogroup", name="感染後受入").get_by_role("radio", name="条件付きで可", exact=True).check()
    phone.get_by_role("button", name="変更内容を確認する").click()
    assert phone.locator("#review-list").inner_text() == "感染後受入: 条件付きで可 にする"  # blank: no site key here
    phone.get_by_role("button", name="送信", exact=True).click()
    _wait_outcome(phone, "反映済み")
    assert len(posts) == 2 and posts[0] == posts[1]  # the same sealed body, so the same receipt
    assert _git(repo, "rev-list", "--count", f"{head}..HEAD").strip() == "1"


def test_admin_link_enters_a_phone_answer_by_proxy(relay_site, phone):
    repo = relay_site["repo"]
    phone.goto(relay_site["admin"])
    phone.get_by_label("記録の ID（半角の英小文字・数字・ハイフン）").fill("day-tokodai")
    phone.get_by_role("group", name="確認方法").get_by_role("radio", name="電話").check()
    phone.get_by_label("確認した相手（役職と氏名）").fill("管理者 田中様")
    phone.get_by_role("button", name="この記録を入力する").click()
    phone.get_by_role("radiogroup", name="新規受入").get_by_role("radio", name="受入不可", exact=True).check()
    phone.get_by_role("button", name="変更内容を確認する").click()
    phone.get_by_role("button", name="送信", exact=True).click()
    _wait_outcome(phone, "反映済み")
    text = (repo / "data/providers/day-tokodai.yaml").read_text(encoding="utf-8")
    assert "new_clients: not_accepting" in text
    assert "confirmed_via: phone\n  confirmed_by: city-admin\n  confirmed_with: 管理者 田中様" in text
