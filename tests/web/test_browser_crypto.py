"""The browser side of the encryption in Chromium: known answers both ways, refusals, expiry, tampering, rollback."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from browser_support import SiteServer, build_at_epoch, require_chromium
from conftest import read_tree
from tools import ROOT

from tsunagu.domain.config import DEMO_PASSWORD, Config
from tsunagu.seal.encrypt import DEFLATE, STORED, deflate, entry_ad, frame, open_sealed, seal, unframe
from tsunagu.seal.keys import derive_key, make_keys_json, root_keys, synthetic_nonce
from tsunagu.seal.packs import slot_of
from tsunagu.seal.reader import open_site

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    require_chromium()
    root = tmp_path_factory.mktemp("browser-crypto")
    data = root / "data"
    shutil.copytree(ROOT / "data", data)
    build_at_epoch(data, root / "old", 1_780_000_000)
    build_at_epoch(data, root / "site", 1_780_000_500)
    return {"root": root, "data": data}


@pytest.fixture
def served(sites, tmp_path):
    """A private copy of the newer build, served on its own port."""
    folder = tmp_path / "site"
    shutil.copytree(sites["root"] / "site", folder)
    server = SiteServer(folder)
    yield {"url": server.url, "dir": folder}
    server.close()


def _unlock(page, url: str, next_path: str = "") -> None:
    page.goto(url + next_path)
    page.wait_for_url(re.compile(r".*/unlock/.*"))
    page.wait_for_selector("#unlock-form:not([hidden])")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_url(url + next_path)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


KAT_PY_TO_JS = """async (v) => {
  const TSU = { ...await import(v.base + "assets/bytes.js"), ...await import(v.base + "assets/seal.js"),
                ...await import(v.base + "assets/packs.js") };   // the page's own ES modules
  const b = TSU.b64, out = {};
  out.padme = v.lengths.map(TSU.padme);
  const nonceKey = await TSU.hmacKey(b(v.nonce_key));
  out.nonce = TSU.hex(await TSU.syntheticNonce(nonceKey, TSU.entryAd(v.path, 0, 1), b(v.payload)));
  out.ad = TSU.hex(TSU.entryAd(v.path, 3, 7));
  const key = await crypto.subtle.importKey("raw", b(v.content_key), "AES-GCM", false, ["decrypt"]);
  out.stored = new TextDecoder().decode(await TSU.openSealed(key, TSU.entryAd(v.path, 0, 1), b(v.stored)));
  out.deflated = new TextDecoder().decode(await TSU.openSealed(key, TSU.entryAd(v.path, 0, 1), b(v.deflated)));
  const group = await TSU.hmacKey(b(v.group_key));
  out.packs = await Promise.all(v.pack_paths.map((p) => TSU.packOf(group, 256, p, 2)));
  const keys = TSU.checkKeys(JSON.parse(v.keys_json));
  const kek = await TSU.deriveKek(v.password, keys);
  out.unwrapped = !!(await TSU.unwrapContentKey(keys, kek));
  out.wrong = !!(await TSU.unwrapContentKey(keys, await TSU.deriveKek(v.password + "x", keys)));
  try { await TSU.openSealed(key, TSU.entryAd(v.path + "x", 0, 1), b(v.stored)); out.moved = "opened"; }
  catch (e) { out.moved = e.name; }
  return out;
}"""


def test_known_answers_made_by_python_check_out_in_the_browser(served, browser):
    salt = bytes(range(16))
    keys = root_keys({"caremanagers": "パスワード-kat-1"}, salt, 1000)
    text = "<p>既知の答え — known answer</p>" * 20
    path = "r/kat.html"
    payload = frame(text.encode(), STORED)
    vectors = {
        "lengths": [1, 256, 257, 1000, 5000, 70000, 1_000_000],
        "nonce_key": _b64(keys.nonce),
        "path": path,
        "payload": _b64(payload),
        "content_key": _b64(keys.content),
        "group_key": _b64(keys.group),
        "stored": _b64(seal(keys, entry_ad(path, 0, 1), payload)),
        "deflated": _b64(seal(keys, entry_ad(path, 0, 1), frame(deflate([text.encode()], False), DEFLATE))),
        "pack_paths": [
            "index.html",
            "r/abc.html",
            "pagefind/pagefind-entry.json",
            "データ/日本語.html",
            "pagefind/fragment/zz_abc.pf_fragment",
            "pagefind/s2/fragment/zz_abc.pf_fragment",
            "pagefind/fragment/zz_ab-c.pf_fragment",
        ],
        "keys_json": make_keys_json(
            {"c": "ｶﾀｶﾅ-パスワード"}, salt, 600_000, keys, 1_780_000_000, "p/" + "0" * 32 + ".bin", bytes(range(32))
        ).decode(),
        "password": "ｶﾀｶﾅ-パスワード",
        "base": served["url"],
    }
    context = browser.new_context()
    page = context.new_page()
    page.goto(served["url"] + "unlock/")
    page.wait_for_selector("#unlock-form:not([hidden])")
    got = page.evaluate(KAT_PY_TO_JS, vectors)
    from tsunagu.seal.encrypt import padme

    assert got["padme"] == [padme(n) for n in vectors["lengths"]]
    assert got["nonce"] == synthetic_nonce(keys.nonce, entry_ad(path, 0, 1), payload).hex()
    assert got["ad"] == entry_ad(path, 3, 7).hex()
    assert got["stored"] == text and got["deflated"] == text
    assert got["packs"] == [int.from_bytes(slot_of(keys.group, p, 2)[:4], "big") % 256 for p in vectors["pack_paths"]]
    assert got["packs"][4] == got["packs"][5] == got["packs"][1]  # a fragment goes with its page
    assert got["unwrapped"] is True and got["wrong"] is False
    assert got["moved"] == "Tampered"  # errors.js: told apart by type
    context.close()


KAT_JS_TO_PY = """async (v) => {
  const TSU = { ...await import(v.base + "assets/bytes.js"), ...await import(v.base + "assets/seal.js"),
                ...await import(v.base + "assets/packs.js") };   // the page's own ES modules
  const b = TSU.b64, enc = new TextEncoder(), out = {};
  // A decomposed password: the browser must normalise it to NFC as Python does.
  const base = await crypto.subtle.importKey("raw", enc.encode(v.password.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  out.pbkdf2 = TSU.hex(new Uint8Array(await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: b(v.salt), iterations: 600000 }, base, 256)));
  const raw = crypto.getRandomValues(new Uint8Array(32)), nk = crypto.getRandomValues(new Uint8Array(32));
  out.key = TSU.hex(raw); out.nonce_key = TSU.hex(nk);
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  async function sealJs(body, flag) {
    const payload = TSU.frame(body, flag), ad = TSU.entryAd(v.path, 1, 2);
    const iv = await TSU.syntheticNonce(await TSU.hmacKey(nk), ad, payload);
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: ad }, key, payload));
    const blob = new Uint8Array(12 + ct.length); blob.set(iv); blob.set(ct, 12);
    return TSU.hex(blob);
  }
  out.stored = await sealJs(enc.encode(v.text), 0);
  const stream = new Blob([enc.encode(v.text)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  out.deflated = await sealJs(new Uint8Array(await new Response(stream).arrayBuffer()), 1);
  return out;
}"""


def test_known_answers_made_in_the_browser_check_out_in_python(served, browser):
    import unicodedata

    password = unicodedata.normalize("NFD", "ガイド・パスワード")
    vectors = {
        "password": password,
        "salt": _b64(b"0123456789abcdef"),
        "path": "data/status.csv",
        "text": "事業所名,電話\r\nさくら,029-000-1011\r\n" * 30,
        "base": served["url"],
    }
    context = browser.new_context()
    page = context.new_page()
    page.goto(served["url"] + "unlock/")
    page.wait_for_selector("#unlock-form:not([hidden])")
    got = page.evaluate(KAT_JS_TO_PY, vectors)
    assert got["pbkdf2"] == derive_key(password, b"0123456789abcdef", 600_000).hex()
    key, nonce_key = bytes.fromhex(got["key"]), bytes.fromhex(got["nonce_key"])
    ad = entry_ad("data/status.csv", 1, 2)
    for name in ("stored", "deflated"):
        blob = bytes.fromhex(got[name])
        payload = open_sealed(key, ad, blob)
        assert unframe(payload).decode() == vectors["text"]
        assert blob[:12] == synthetic_nonce(nonce_key, ad, payload)
    context.close()


DOWNGRADES = [
    ("iterations", 599_999),
    ("iterations", 10_000_001),
    ("kdf", "PBKDF2-SHA1"),
    ("cipher", "AES-128-GCM"),
    ("version", 1),
    ("version", 3),
    ("kdf", None),
]


def test_downgraded_keys_json_is_refused(served, browser):
    keys_path = served["dir"] / "keys.json"
    original = json.loads(keys_path.read_text())
    for field, value in DOWNGRADES:
        doc = dict(original)
        if value is None:
            del doc[field]
        else:
            doc[field] = value
        keys_path.write_text(json.dumps(doc))
        context = browser.new_context()
        page = context.new_page()
        page.goto(served["url"] + "unlock/")
        page.locator("#unsafe-keys").wait_for()
        assert page.locator("#unlock-form").is_hidden(), (field, value)
        assert "安全でない設定のため" in page.inner_text("#unsafe-keys")
        context.close()
    keys_path.write_text(json.dumps(original))
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, served["url"])  # the untouched keys.json still opens
    context.close()


def _served_in_subfolder(folder: Path, tmp_path: Path) -> SiteServer:
    parent = tmp_path / "origin"
    parent.mkdir(parents=True)
    shutil.copytree(folder, parent / "repo")
    return SiteServer(parent)


def test_a_shared_origin_is_refused_unless_allowed(sites, browser, tmp_path):
    server = _served_in_subfolder(sites["root"] / "site", tmp_path / "a")
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url + "repo/unlock/")
        page.locator("#shared-origin").wait_for()
        assert page.locator("#unlock-form").is_hidden()
        assert "ほかのサイトと同じドメイン" in page.inner_text("#shared-origin")
        context.close()
    finally:
        server.close()
    data = tmp_path / "data"
    shutil.copytree(sites["data"], data)
    with (data / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("allow_shared_origin: true\n")
    build_at_epoch(data, tmp_path / "allowed", 1_780_000_500)
    server = _served_in_subfolder(tmp_path / "allowed", tmp_path / "b")
    try:
        context = browser.new_context()
        page = context.new_page()
        _unlock(page, server.url + "repo/")
        assert page.locator("h1").count() == 1 and "/repo/" in page.url
        context.close()
    finally:
        server.close()


def _as_host(context, host: str, folder: Path) -> None:
    """Answer every request to https://<host>/ from a built site's folder (no network involved)."""

    def answer(route):
        path = route.request.url.split(host, 1)[1].split("?")[0].lstrip("/")
        target = folder / path
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            route.fulfill(status=404, body="")
            return
        kind = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json"}
        route.fulfill(
            status=200, body=target.read_bytes(), content_type=kind.get(target.suffix, "application/octet-stream")
        )

    context.route(f"https://{host}/**", answer)


def test_a_github_io_site_is_refused_even_at_the_root_unless_allowed(sites, browser, tmp_path):
    # org.github.io/ shares its origin with every org.github.io/<repo>/: a sibling page could use the key.
    context = browser.new_context()
    _as_host(context, "org.github.io", sites["root"] / "site")
    page = context.new_page()
    page.goto("https://org.github.io/unlock/")
    page.locator("#shared-origin").wait_for()
    assert page.locator("#unlock-form").is_hidden()
    assert "ほかのサイトと同じドメイン" in page.inner_text("#shared-origin")
    context.close()
    data = tmp_path / "data"
    shutil.copytree(sites["data"], data)
    with (data / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("allow_shared_origin: true\n")
    build_at_epoch(data, tmp_path / "allowed", 1_780_000_500)
    context = browser.new_context()
    _as_host(context, "org.github.io", tmp_path / "allowed")
    page = context.new_page()
    page.goto("https://org.github.io/unlock/")
    page.locator("#unlock-form").wait_for()
    assert page.locator("#shared-origin").is_hidden()
    context.close()


EXPIRE = """() => new Promise((resolve, reject) => {
  const req = indexedDB.open("tsunagu", 1);
  req.onsuccess = () => {
    const t = req.result.transaction("session", "readwrite"), st = t.objectStore("session");
    const get = st.get("current");
    get.onsuccess = () => { const s = get.result; s.expires = Date.now() - 1000; st.put(s, "current"); };
    t.oncomplete = () => { req.result.close(); resolve(true); };
    t.onerror = () => reject(t.error);
  };
})"""

STORED_SESSION = """() => new Promise((resolve) => {
  const req = indexedDB.open("tsunagu", 1);
  req.onsuccess = () => {
    const get = req.result.transaction("session").objectStore("session").get("current");
    get.onsuccess = () => { resolve(get.result === undefined ? null : "present"); req.result.close(); };
  };
})"""


def test_an_expired_key_is_deleted(served, browser):
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, served["url"], "status/")
    assert page.evaluate(STORED_SESSION) == "present"
    page.evaluate(EXPIRE)
    page.goto(served["url"] + "providers/")
    page.wait_for_url(re.compile(r".*/unlock/.*"))
    page.wait_for_selector("#unlock-form:not([hidden])")
    assert page.evaluate(STORED_SESSION) is None, "the expired key is still stored"
    context.close()


def test_a_tampered_entry_is_refused_by_the_service_worker(served, browser):
    files = read_tree(served["dir"])
    reader = open_site(files, DEMO_PASSWORD)
    target = sorted(p for p in reader.paths() if p.startswith("r/"))[0]
    number = int.from_bytes(slot_of(reader.group, target, 0)[:4], "big") % reader.root["packs"]
    pack = reader.directory(number)
    _p, _i, _n, offset, length, _d = pack["entries"][(target, 0)]
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, served["url"], "status/")
    blob = bytearray(files[pack["name"]])
    blob[offset + length // 2] ^= 1
    (served["dir"] / pack["name"]).write_bytes(bytes(blob))
    page.goto(served["url"] + target)
    assert page.locator("h1").inner_text() == "改ざんを検出しました"
    context.close()


def test_an_older_build_is_refused_after_a_newer_one(served, sites, browser):
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, served["url"], "physicians/")
    # The host now serves the previous build, whole: its own keys.json, manifest and packs.
    shutil.rmtree(served["dir"])
    shutil.copytree(sites["root"] / "old", served["dir"])
    page.goto(served["url"] + "providers/")
    assert page.locator("h1").inner_text() == "古い版が配信されています"
    page.goto(served["url"] + "unlock/")
    page.locator("#rollback").wait_for()
    assert page.locator("#unlock-form").is_hidden()
    context.close()


def test_a_build_of_the_same_epoch_with_another_root_is_refused(served, sites, browser, tmp_path):
    # The same commit gives the same bytes on any day: an equal epoch with another root is a host's
    # replay of something else (e.g. the daily rebuild of another day's data), never a real update.
    data = tmp_path / "data"
    shutil.copytree(sites["data"], data)
    record = next((data / "providers").glob("*.yaml"))
    record.write_text(
        record.read_text(encoding="utf-8")
        .replace("new_clients: accepting", "new_clients: not_accepting")
        .replace("new_clients: conditional", "new_clients: not_accepting"),
        encoding="utf-8",
    )
    build_at_epoch(data, tmp_path / "same-epoch", 1_780_000_500)
    assert (
        json.loads((tmp_path / "same-epoch" / "keys.json").read_text())["root_sha256"]
        != json.loads((served["dir"] / "keys.json").read_text())["root_sha256"]
    )
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, served["url"], "physicians/")
    shutil.rmtree(served["dir"])
    shutil.copytree(tmp_path / "same-epoch", served["dir"])
    page.goto(served["url"] + "providers/")
    assert page.locator("h1").inner_text() == "古い版が配信されています"
    page.goto(served["url"] + "unlock/")
    page.locator("#rollback").wait_for()
    assert page.locator("#unlock-form").is_hidden()
    context.close()


UNCHECKED = "最新の版を確認できませんでした（最終確認 "


def test_a_withheld_keys_json_is_said_on_every_page_until_it_returns(served, browser):
    # A host that stops serving keys.json would freeze a device on its cached build, silently.
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, served["url"], "physicians/")
    assert UNCHECKED not in page.inner_text("body")
    keys = served["dir"] / "keys.json"
    saved = keys.read_bytes()
    keys.unlink()
    for path in ("providers/", "status/", "physicians/"):
        page.goto(served["url"] + path)
        notice = page.locator("[data-unchecked]")
        notice.wait_for()
        assert re.fullmatch(re.escape(UNCHECKED) + r"\d{1,2}月\d{1,2}日 \d{2}:\d{2}）", notice.inner_text()), (
            notice.inner_text()
        )
    keys.write_bytes(saved)
    page.goto(served["url"] + "providers/")
    page.locator("h1").wait_for()
    assert page.locator("[data-unchecked]").count() == 0
    context.close()


STYLED = "() => [...document.styleSheets].some((s) => s.cssRules.length > 0)"


def test_offline_after_unlock_pages_styles_and_search_work(served, browser):
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, served["url"], "status/")
    page.goto(served["url"] + "search/?q=" + "さくら")
    page.locator("#search-status").filter(has_text="見つかりました").wait_for()
    context.set_offline(True)
    page.goto(served["url"] + "status/")
    assert "受入状況一覧" in page.inner_text("h1") and page.evaluate(STYLED)
    page.goto(served["url"] + "search/?q=" + "さくら")  # Pagefind's runtime, wasm and index from the cache
    page.locator("#search-status").filter(has_text="見つかりました").wait_for()
    context.set_offline(False)
    context.close()


def test_search_merges_the_shards_of_a_large_region(sites, browser, tmp_path, monkeypatch):
    import yaml
    from test_browser import _search_titles

    from tsunagu.data.load import load_tree
    from tsunagu.data.validate import validate_tree
    from tsunagu.render.entries import make_entries
    from tsunagu.search import bundle, index

    monkeypatch.setattr(index, "SHARD", 20)  # the demo's 66 records in 4 shards
    monkeypatch.setattr(bundle, "TARGET", 2_000)  # their chunks cut at the same words: many bundles of 4
    build_at_epoch(sites["data"], tmp_path / "site", 1_780_000_500)
    reader = open_site(read_tree(tmp_path / "site"), DEMO_PASSWORD)
    assert len(json.loads(reader.read("pagefind/shards.json"))) == 3
    assert sum(p.startswith("pagefind/bundle/") for p in reader.paths()) > 5
    assert not any("/index/" in p for p in reader.paths()), "each shard's chunk is read from its bundle"
    config = Config(data_dir=sites["data"], out_dir=tmp_path / "site", today=TODAY)
    providers, physicians = make_entries(validate_tree(load_tree(sites["data"]), TODAY), config)
    titles = {e.record.name: e.record.id for e in providers + physicians}
    queries = yaml.safe_load((ROOT / "tests" / "search_queries.yaml").read_text(encoding="utf-8"))
    server = SiteServer(tmp_path / "site")
    try:
        context = browser.new_context()
        page = context.new_page()
        _unlock(page, server.url, "search/")
        for row in queries[:12]:
            found = {titles[t] for t in _search_titles(page, server.url + "search/?q=" + row["q"])}
            assert set(row["expect"]) <= found, row["q"]
        everyone = _search_titles(page, server.url + "search/?kind=" + "医師")
        assert len(everyone) == len(physicians)
        context.close()
    finally:
        server.close()
