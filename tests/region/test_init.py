"""`tsunagu init`: from an empty folder and the MHLW rows to a region repository that validates and builds
with its own workflow's install line, pointed at a locally built wheel."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO_DIR

from tsunagu.cli import cli
from tsunagu.importers.mhlw.read import read_csv
from tsunagu.region.areas import suggest_areas, town_of

SAMPLES = REPO_DIR / "tests" / "fixtures" / "mhlw" / "samples"  # real rows of 水戸市 and 土浦市
INSTALL = "python -m pip install --require-hashes --no-deps -r requirements.txt"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """tsunagu as a wheel, built from what a source distribution holds."""
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "setup.py", "README.md", "MANIFEST.in", "requirements.txt"):
        shutil.copy2(REPO_DIR / name, source / name)
    shutil.copytree(
        REPO_DIR / ".github" / "deploy", source / ".github" / "deploy", ignore=shutil.ignore_patterns("node_modules")
    )
    shutil.copytree(REPO_DIR / "relay", source / "relay", ignore=shutil.ignore_patterns("node_modules"))
    for name in ("tsunagu", "templates"):
        shutil.copytree(REPO_DIR / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        cwd=out,
    )
    (found,) = out.glob("tsunagu-*.whl")
    return found


@pytest.fixture(scope="module")
def region(wheel: Path, tmp_path_factory) -> Path:
    """`init` run non-interactively on the sample rows into an empty folder."""
    target = tmp_path_factory.mktemp("new") / "mito"
    result = CliRunner().invoke(
        cli,
        [
            "init",
            str(target),
            "--city",
            "082015",
            "--mhlw",
            str(SAMPLES),
            "--title",
            "つなぐ 水戸市",
            "--admin",
            "mito-admin",
            "--admin",
            "kaigo-center",
            "--tsunagu-wheel",
            str(wheel),
            "--site-url",
            "https://tsunagu.example.jp/",
            "--today",
            "2026-01-10",
            "--non-interactive",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "事業所 77 件を取り込みました。" in result.output
    return target


@pytest.mark.slow
def test_the_region_holds_data_workflows_and_a_pinned_tsunagu_not_its_code(region: Path, wheel: Path):
    files = sorted(p.relative_to(region).as_posix() for p in region.rglob("*") if p.is_file())
    assert not [f for f in files if f.endswith(".py") and not f.startswith(".github/deploy/")], "no tsunagu code"
    assert {f.split("/")[0] for f in files} == {
        ".gitignore",
        "README.md",
        "requirements.txt",
        ".github",
        "data",
        "relay",
    }
    assert {
        ".gitignore",
        "README.md",
        "requirements.txt",
        ".github/workflows/deploy.yml",
        ".github/workflows/check.yml",
        ".github/workflows/relay-intake.yml",
        "relay/handler.mjs",
        ".github/dependabot.yml",
        "data/site.yaml",
    } <= set(files)
    assert len([f for f in files if f.startswith("data/providers/mhlw-")]) == 77
    site = yaml.safe_load((region / "data" / "site.yaml").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[0-9a-f]{32}", site["salt"])
    assert (
        site["title"] == "つなぐ 水戸市"
        and site["region"] == "水戸市"
        and site["admins"] == ["mito-admin", "kaigo-center"]
    )
    assert site["areas"] == ["北部", "中部", "東部", "南部", "西部"] and site["area_map"]["赤塚"] == "北部"
    assert site["services"]["訪問入浴介護"] == "120", "the import added the services it found"
    requirements = (region / "requirements.txt").read_text(encoding="utf-8")
    import hashlib

    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert f"tsunagu=={wheel.name.split('-')[1]} \\\n    --hash=sha256:{digest}\n" in requirements
    assert re.search(r"^click==[\d.]+ \\\n    --hash=sha256:[0-9a-f]{64}", requirements, re.M)
    ignored = (region / ".gitignore").read_text(encoding="utf-8").split()
    assert ".venv/" in ignored and "site/" in ignored and "passwords.yaml" in ignored
    readme = (region / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# つなぐ 水戸市\n") and "非公開" in readme and "{{" not in readme


@pytest.mark.slow
def test_the_region_gets_the_relay_and_its_intake_workflow_from_the_wheel(region: Path, wheel: Path):
    """The personal-link flow works without tsunagu's code: the relay handler and relay-intake.yml come with init."""
    relay = sorted(
        p.relative_to(REPO_DIR / "relay").as_posix()
        for p in (REPO_DIR / "relay").rglob("*")
        if p.is_file() and "node_modules" not in p.parts
    )
    assert "handler.mjs" in relay and "pages/functions/api/[[route]].js" in relay
    packed = zipfile.ZipFile(wheel)
    for name in relay:
        source = (REPO_DIR / "relay" / name).read_bytes()
        assert packed.read(f"tsunagu/region/files/relay/{name}") == source, f"the wheel's relay/{name}"
        assert (region / "relay" / name).read_bytes() == source, f"the region's relay/{name}"
    intake = yaml.safe_load((region / ".github" / "workflows" / "relay-intake.yml").read_text(encoding="utf-8"))
    runs = "\n".join(s.get("run", "") for job in intake["jobs"].values() for s in job.get("steps", []))
    assert "tsunagu relay drain --issues" in runs and "build.py" not in runs
    assert intake["env"]["TSUNAGU_SITE_URL"] == "https://tsunagu.example.jp/"
    # A push with the run's token starts no workflow: the drain starts deploy.yml by a dispatch, with no `ref` input.
    assert intake["jobs"]["deploy"]["permissions"] == {"actions": "write"}
    assert 'gh workflow run deploy.yml --ref "$DEFAULT_BRANCH"' in intake["jobs"]["deploy"]["steps"][0]["run"]
    deploy = yaml.safe_load((region / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    assert "workflow_dispatch" in deploy[True]  # PyYAML reads `on:` as True
    cloudflare = [s for s in deploy["jobs"]["build"]["steps"] if "wrangler pages deploy" in s.get("run", "")]
    assert [s["working-directory"] for s in cloudflare] == ["relay/pages"], "the relay goes up as a Pages Function"


@pytest.mark.slow
def test_its_workflows_install_the_pin_and_pass_actionlint(region: Path):
    from test_workflows import lint

    workflows = sorted((region / ".github" / "workflows").glob("*.yml"))
    assert lint(*workflows) == []
    for workflow in workflows:
        doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
        runs = [s.get("run", "") for job in doc["jobs"].values() for s in job.get("steps", [])]
        if any(r.startswith("tsunagu ") for r in runs):
            assert INSTALL in runs, workflow.name
        assert not [r for r in runs if ("pip install" in r and r != INSTALL) or "playwright" in r], workflow.name
    deploy = (region / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    assert "SITE_URL: https://tsunagu.example.jp/" in deploy and "cache: pip" in deploy


@pytest.mark.slow
def test_validate_and_build_with_the_workflows_own_install_line(region: Path, wheel: Path, tmp_path: Path):
    """A clean venv, the install line of deploy.yml pointed at the local wheel, then validate and build."""
    work = tmp_path / "checkout"
    shutil.copytree(region, work)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    clean["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{clean['PATH']}"
    install = subprocess.run(
        f"{INSTALL} --find-links {wheel.parent}",
        shell=True,
        cwd=work,
        env=clean,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if install.returncode and "No matching distribution" in install.stderr and "tsunagu" not in install.stderr:
        pytest.skip("the package index is not reachable for the locked dependencies")
    assert install.returncode == 0, install.stderr[-2000:]
    where = subprocess.run(
        ["python", "-c", "import tsunagu; print(tsunagu.__file__)"],
        cwd=work,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(env_dir))
    for command in (["tsunagu", "validate", "--data", "data"], ["tsunagu", "build", "--data", "data", "--out", "site"]):
        done = subprocess.run(command, cwd=work, env=clean, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    assert (work / "site" / "keys.json").is_file() and (work / "site" / "404.html").is_file()


def test_every_problem_at_once_and_nothing_written(tmp_path: Path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "init",
            str(tmp_path / "taken"),
            "--city",
            "08201",
            "--city",
            "082016",
            "--mhlw",
            str(SAMPLES),
            "--admin",
            "bad login",
            "--non-interactive",
        ],
    )
    assert result.exit_code == 1
    assert str(result.exception).splitlines() == [
        f"{tmp_path / 'taken'}: 空のフォルダーではありません（新しいフォルダーを指定してください）",
        "--city 082016: check digit of 082016 should be 5 (082015)",
        "--title: サイトの名前を指定してください（例 つなぐ 水戸市）",
        "--admin bad login: GitHub のアカウント名ではありません",
        "--site-url: https:// で始まる配信先の URL（独自ドメイン）を指定してください（配信のたびに、そこの keys.json と版を比べます）; "
        "got ''",
    ]
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["x.txt"]


def test_interactive_answers_the_prompts_in_japanese(tmp_path: Path):
    wheel = tmp_path / "tsunagu-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"stand-in: only its hash is pinned here")
    answers = f"082015 082031\n{SAMPLES}\nつなぐ 水戸・土浦\nmito-admin\nhttps://care.example.jp/\ny\n"
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "r"), "--tsunagu-wheel", str(wheel), "--today", "2026-01-10"], input=answers
    )
    assert result.exit_code == 0, result.output
    for prompt in (
        "市区町村コード",
        "オープンデータの CSV ファイルかフォルダー",
        "サイトの名前",
        "管理者の GitHub アカウント名",
        "配信先の URL",
        "この地域の区分で進めますか",
    ):
        assert prompt in result.output
    site = yaml.safe_load((tmp_path / "r" / "data" / "site.yaml").read_text(encoding="utf-8"))
    assert site["areas"] == ["水戸市", "土浦市"] and site["area_map"] == {"水戸市": "水戸市", "土浦市": "土浦市"}
    assert len(list((tmp_path / "r" / "data" / "providers").glob("*.yaml"))) == 121


def test_a_prefecture_code_takes_every_municipality_of_it(tmp_path: Path):
    wheel = tmp_path / "tsunagu-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"x")
    result = CliRunner().invoke(
        cli,
        [
            "init",
            str(tmp_path / "r"),
            "--city",
            "08",
            "--mhlw",
            str(SAMPLES),
            "--title",
            "つなぐ 茨城",
            "--admin",
            "ibaraki",
            "--tsunagu-wheel",
            str(wheel),
            "--site-url",
            "https://care.example.jp/",
            "--non-interactive",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "（土浦市・水戸市）" in result.output


def test_towns_from_addresses():
    assert town_of("茨城県水戸市赤塚1丁目376番地の1", "茨城県", "水戸市") == "赤塚"
    assert town_of("水戸市百合が丘町8番3", "茨城県", "水戸市") == "百合が丘町"
    assert town_of("茨城県　水戸市　見川町　2131－105", "茨城県", "水戸市") == "見川町"
    assert town_of("茨城県水戸市千波町二丁目5", "茨城県", "水戸市") == "千波町"
    assert town_of("茨城県土浦市大字上高津1234", "茨城県", "土浦市") == "上高津"


def test_one_city_with_many_towns_is_split_by_direction_from_its_centre():
    rows = [r for p in sorted(SAMPLES.glob("*.csv")) for r in read_csv(p)]
    mito = [r for r in rows if r.cells["都道府県コード又は市町村コード"] == "082015"]
    suggestion = suggest_areas(mito)
    assert suggestion.basis == "方角" and set(suggestion.areas) == {"北部", "中部", "東部", "南部", "西部"}
    # 赤塚 lies north-west of the centre of Mito's offices, 酒門町 south-east: north and east respectively.
    assert suggestion.area_map["赤塚"] == "北部" and suggestion.area_map["酒門町"] == "東部"


def test_declining_the_suggested_areas_writes_nothing(tmp_path: Path):
    wheel = tmp_path / "tsunagu-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"x")
    answers = f"082015\n{SAMPLES}\nつなぐ 水戸市\nmito-admin\nhttps://care.example.jp/\nn\n"
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "r"), "--tsunagu-wheel", str(wheel)], input=answers)
    assert result.exit_code == 1
    assert "地域の区分の提案（方角ごと。" in result.output and "  北部: " in result.output
    assert (
        str(result.exception)
        == "中止しました。何も書いていません。--region や地域の区分は、作ったあとで data/site.yaml でも直せます。"
    )
    assert not (tmp_path / "r").exists()
