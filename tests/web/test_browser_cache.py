"""What the service worker keeps (Chromium): only bytes checked against their hash, nothing an older build left, and a
full device said in Japanese on 「この端末に保存」."""

from __future__ import annotations

import re
import shutil

import pytest
from browser_support import SiteServer, build_at_epoch, require_chromium, until
from conftest import read_tree
from tools import ROOT

from tsunagu.domain.config import DEMO_PASSWORD
from tsunagu.seal.packs import DIR, ENTRY, LOC, SOLO, slot_of
from tsunagu.seal.reader import open_site

pytestmark = pytest.mark.browser
CACHE = "tsunagu-ciphertext-v2"  # sw-store.js
CACHED = f"""() => caches.open("{CACHE}").then((c) => c.keys()).then((keys) => keys.map((r) => new URL(r.url).pathname
  + new URL(r.url).search))"""


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The demo built twice: as it is, and after one provider's note changed (a data update, same passwords)."""
    require_chromium()
    root = tmp_path_factory.mktemp("browser-cache")
    data = root / "data"
    shutil.copytree(ROOT / "data", data)
    build_at_epoch(data, root / "first", 1_760_000_000)
    note = data / "providers" / "day-sakura.yaml"
    note.write_text(
        note.read_text(encoding="utf-8").replace("notes: |\n", "notes: |\n  送迎車を1台増やしました。\n", 1),
        encoding="utf-8",
    )
    build_at_epoch(data, root / "second", 1_760_000_500)
    return root


@pytest.fixture
def site(builds, tmp_path):
    folder = tmp_path / "site"
    shutil.copytree(builds / "first", folder)
    server = SiteServer(folder)
    yield {"url": server.url, "dir": folder}
    server.close()


def _unlock(page, url: str, next_path: str) -> None:
    page.goto(url + next_path)
    page.wait_for_url(re.compile(r".*/unlock/.*"))
    page.wait_for_selector("#unlock-form:not([hidden])")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_url(url + next_path)


def _sealed_names(page) -> set[str]:
    """The digests of the sealed files (p/<digest>.bin, whole or a slice of one) in the worker's cache."""
    return {m.group(1) for k in page.evaluate(CACHED) if (m := re.match(r"/p/([0-9a-f]+)\.bin", k))}


def _listed(files: dict[str, bytes]) -> set[str]:
    """Every digest a build lists: packs, files of their own, locator parts, and the root manifest."""
    reader = open_site(files, DEMO_PASSWORD)
    root = reader.root
    names = {d[DIR["digest"]] for d in root["dirs"] if d} | {e[SOLO["digest"]] for e in root["solo"]}
    return names | {e[LOC["digest"]] for e in root["loc"]} | {re.sub(r"^p/|\.bin$", "", reader.root_name)}


def test_a_tampered_entry_is_shown_nowhere_and_never_cached(site, browser):
    files = read_tree(site["dir"])
    reader = open_site(files, DEMO_PASSWORD)
    target = sorted(p for p in reader.paths() if p.startswith("r/"))[0]
    pack = reader.directory(int.from_bytes(slot_of(reader.group, target, 0)[:4], "big") % reader.root["packs"])
    entry = pack["entries"][(target, 0)]
    offset, length = entry[ENTRY["offset"]], entry[ENTRY["length"]]
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, site["url"], "status/")
    blob = bytearray(files[pack["name"]])
    blob[offset + length // 2] ^= 1
    (site["dir"] / pack["name"]).write_bytes(bytes(blob))
    page.goto(site["url"] + target)
    assert page.locator("h1").inner_text() == "改ざんを検出しました"
    keys = page.evaluate(CACHED)
    assert f"/{pack['name']}?range={offset}-{length}" not in keys and f"/{pack['name']}" not in keys, keys
    assert any(k.startswith(f"/{pack['name']}?range=") for k in keys), "the pack's checked directory is cached"
    context.close()


def test_packs_a_new_build_no_longer_lists_leave_the_cache(site, builds, browser):
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, site["url"], "providers/")
    page.goto(site["url"] + "search/?q=" + "デイ")
    page.locator("#search-status").filter(has_text="見つかりました").wait_for()
    first = _listed(read_tree(site["dir"]))
    before = _sealed_names(page)
    assert before and before <= first
    shutil.rmtree(site["dir"])
    shutil.copytree(builds / "second", site["dir"])  # a data update is deployed
    second = _listed(read_tree(site["dir"]))
    gone = before - second
    assert gone, "the update changed none of the files this device had cached"
    page.goto(site["url"] + "providers/")
    assert until(page, lambda: not (_sealed_names(page) & gone)), f"still cached: {_sealed_names(page) & gone}"
    assert _sealed_names(page) <= second
    context.close()


def test_a_full_device_is_said_on_save(site, browser):
    context = browser.new_context()
    page = context.new_page()
    _unlock(page, site["url"], "status/")
    cdp = context.new_cdp_session(page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": site["url"].rstrip("/"), "quotaSize": 300_000})
    page.click("[data-save-offline]")
    page.locator("[data-save-status]").filter(has_text="保存できませんでした").wait_for()
    assert "この端末の保存容量が足りません" in page.inner_text("[data-save-status]")
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": site["url"].rstrip("/")})  # the device's own quota again
    page.click("[data-save-offline]")
    page.locator("[data-save-status]").filter(has_text="この端末に保存しました").wait_for()
    context.close()
