"""A deploy never replaces the live site with an older build, nor the same epoch with other content."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FAST, PROVIDER_X, SITE, STRONG

from tsunagu.cli import cli
from tsunagu.domain.config import Config
from tsunagu.pipeline.builder import build
from tsunagu.region.deploy import DeployRefused, Version, decide

EPOCH = 1_790_000_000


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


# 2026-09-21 23:13 in Japan


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "providers").mkdir(parents=True)
    (folder / "site.yaml").write_text(SITE + 'salt: "00112233445566778899aabbccddeeff"\n', encoding="utf-8")
    (folder / "providers" / "day-x.yaml").write_text(PROVIDER_X, encoding="utf-8")
    return folder


def built(data: Path, out: Path, epoch: int, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    build(Config(data_dir=data, out_dir=out, passwords=STRONG, iterations=FAST, search=False, workers=1))
    return out


@pytest.fixture
def live(data: Path, tmp_path: Path, monkeypatch):
    """The previous build, served on loopback as the live site."""
    site = built(data, tmp_path / "live", EPOCH, monkeypatch)
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", site
    server.shutdown()
    server.server_close()


def check(site: Path, url: str, tmp_path: Path) -> tuple[int, str, str]:
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["deploy-check", "--site", str(site), "--live", url], env={"GITHUB_OUTPUT": str(output)}
    )
    text = result.output + (str(result.exception) if result.exception and result.exit_code != 0 else "")
    return result.exit_code, text, output.read_text(encoding="utf-8")


def test_a_newer_build_deploys(data, live, tmp_path, monkeypatch):
    url, _ = live
    site = built(data, tmp_path / "new", EPOCH + 60, monkeypatch)
    code, text, output = check(site, url, tmp_path)
    assert code == 0 and output == "deploy=true\n"
    assert "配信中の版（2026-09-21 23:13 JST）より新しい版（2026-09-21 23:14 JST）です。配信します。" in text


def test_an_older_build_is_refused_with_the_way_back(data, live, tmp_path, monkeypatch):
    url, _ = live
    site = built(data, tmp_path / "old", EPOCH - 86_400, monkeypatch)
    code, text, output = check(site, url, tmp_path)
    assert code == 1 and output == ""
    assert "配信中の版（2026-09-21 23:13 JST）より古いため、配信しません" in text and "git revert" in text


def test_the_same_commit_rebuilt_is_a_no_op(data, live, tmp_path, monkeypatch):
    url, previous = live
    site = built(data, tmp_path / "again", EPOCH, monkeypatch)
    assert (site / "keys.json").read_bytes() == (previous / "keys.json").read_bytes()
    code, text, output = check(site, url, tmp_path)
    assert code == 0 and output == "deploy=false\n"
    assert "同じ版（2026-09-21 23:13 JST）がすでに配信されています。配信は省略します。" in text


def test_the_same_epoch_with_other_content_is_refused(data, live, tmp_path, monkeypatch):
    url, _ = live
    provider = data / "providers" / "day-x.yaml"
    provider.write_text(provider.read_text(encoding="utf-8").replace("vacancies: 3", "vacancies: 4"), encoding="utf-8")
    site = built(data, tmp_path / "other", EPOCH, monkeypatch)
    code, text, output = check(site, url, tmp_path)
    assert code == 1 and output == ""
    assert "配信中の版と同じ版（2026-09-21 23:13 JST）なのに内容が違います" in text


def test_the_first_deploy_and_an_unreachable_site(data, tmp_path, monkeypatch):
    site = built(data, tmp_path / "first", EPOCH, monkeypatch)
    empty = tmp_path / "empty"
    empty.mkdir()
    handler = functools.partial(_Quiet, directory=str(empty))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code, text, output = check(site, f"http://127.0.0.1:{server.server_address[1]}/", tmp_path)
        assert code == 0 and output == "deploy=true\n" and "初めての配信です" in text
    finally:
        server.shutdown()
        server.server_close()
    code, text, output = check(site, f"http://127.0.0.1:{server.server_address[1]}/", tmp_path)
    assert code == 1 and output == "" and "接続できません" in text and "確かめられないうちは配信しません" in text


def test_a_future_epoch_is_refused():
    now = EPOCH
    with pytest.raises(DeployRefused) as info:
        decide(Version(now + 3600, "a"), None, now=now)
    assert str(info.value).startswith(
        "今回のビルドの版（2026-09-22 00:13 JST）が未来の日時です（この機械の時刻: 2026-09-21 23:13 JST）"
    )
    assert decide(Version(now + 60, "a"), None, now=now)[0], "a committer's clock a minute ahead is not refused"


def test_the_deploy_workflow_of_a_region_runs_the_check_before_any_upload():
    import yaml

    from tsunagu.region.pins import FILES

    text = re.sub(r"\{\{[A-Z_]+\}\}", "x", (FILES / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    workflow = yaml.safe_load(text)
    steps = workflow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    at = runs.index('tsunagu deploy-check --site site --live "$SITE_URL"')
    assert runs.index("tsunagu build --data data --out site --require-passwords") < at
    assert all(s.get("if", "").startswith("steps.check.outputs.deploy != 'false'") for s in steps[at + 1 :])
    assert workflow["jobs"]["build"]["outputs"]["deploy"] == "${{ steps.check.outputs.deploy != 'false' }}"
    assert list(workflow["jobs"]) == ["build", "github-pages"], "Cloudflare and Netlify upload from the build job"
    assert workflow["jobs"]["github-pages"]["if"].startswith("needs.build.outputs.deploy == 'true'")
    holders = [s for s in steps if "secrets." in str(s)]
    assert [s["name"] for s in holders] == [
        "Build with the real passwords",
        "Upload the changed files to Cloudflare Pages",
        "Upload the changed files to Netlify",
    ]
    assert all(
        set(s["env"])
        <= {
            "TSUNAGU_PASSWORDS",
            "TSUNAGU_PATH_KEY",
            "CLOUDFLARE_API_TOKEN",
            "CLOUDFLARE_ACCOUNT_ID",
            "NETLIFY_AUTH_TOKEN",
            "NETLIFY_SITE_ID",
        }
        for s in holders
    )
    assert "schedule" not in workflow[True] and "inputs" not in (workflow[True]["workflow_dispatch"] or {}), (
        "no daily rebuild and no `ref` input: a rollback is a git revert"
    )
