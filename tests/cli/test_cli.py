"""The command line: exit codes and exact output, as `python build.py …` prints them."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEMO_DATA, PROVIDER_X, STRONG, TODAY, read_tree, write
from tools import ROOT

from tsunagu.cli import cli, main
from tsunagu.seal.passwords import ENV_VAR, check_passwords, parse_passwords
from tsunagu.seal.reader import open_site

DAY_X = "data/providers/day-x.yaml"
YES_ERROR = f"{DAY_X}:12: status.new_clients: expected one of accepting, conditional, not_accepting, unknown; got 'yes'"


@pytest.fixture
def run(monkeypatch, capsys):
    """Run `python build.py ARGS` in this process; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv(ENV_VAR, raising=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["build.py", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_validate_demo_data(run):
    from conftest import load_directory

    demo = load_directory(DEMO_DATA)
    code, out, err = run("validate", "--data", str(DEMO_DATA), "--today", TODAY.isoformat())
    assert (code, out) == (0, "")
    assert err == (
        f"OK: 事業所 {len(demo.providers)} 件・医師 {len(demo.physicians)} 名・"
        f"お知らせ {len(demo.notices)} 件、エラーはありません。\n"
    )


def test_validate_reports_every_error_and_exits_1(run, data_dir):
    write(Path(DAY_X), PROVIDER_X.replace("  new_clients: accepting\n", "  new_clients: yes\n"))
    write(data_dir / "physicians" / "doc-x.yaml", "name: x\n\tclinic: y\n")
    write(data_dir / "notices" / "2026-11-20-x.md", "---\ntitle: t\ndate: 2026-11-30\n---\n")
    code, out, err = run("validate", "--today", "2026-11-22")
    assert (code, out) == (1, "")
    assert (
        err
        == "\n".join(
            [
                "data/notices/2026-11-20-x.md:3: date: date is in the future (today is 2026-11-22); got 2026-11-30",
                "data/physicians/doc-x.yaml:2: name: tab character in indentation; indent with spaces",
                YES_ERROR,
                "3 errors found; nothing was written.",
            ]
        )
        + "\n"
    )


def test_validate_github_format(run, data_dir):
    write(
        Path(DAY_X),
        PROVIDER_X.replace("  new_clients: accepting\n", "  new_clients: yes\n").replace(
            "email: info@example.jp\n", "email: info@\n"
        ),
    )
    code, out, err = run("validate", "--format", "github", "--today", "2026-11-22")
    assert code == 1
    assert out == (
        f"::error file={DAY_X},line=8::email: expected an e-mail address such as info@example.jp; got 'info@'\n"
        f"::error file={DAY_X},line=12::status.new_clients: expected one of accepting, conditional, "
        "not_accepting, unknown; got 'yes'\n"
    )
    assert err.endswith("2 errors found; nothing was written.\n")
    assert YES_ERROR in err


def test_file_level_annotation_has_no_line(run, data_dir):
    write(data_dir / "providers" / "Bad_Name.yaml", PROVIDER_X)
    code, out, _ = run("validate", "--format", "github", "--today", "2026-11-22")
    assert code == 1
    assert out.startswith("::error file=data/providers/Bad_Name.yaml::file name must be an id")


def test_missing_data_folder(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("validate", "--data", "nowhere")
    assert (code, err) == (1, "nowhere: data folder not found\n1 error found; nothing was written.\n")


def test_schema_prints_json_schema(run):
    code, out, _ = run("schema")
    assert code == 0
    schemas = json.loads(out)
    assert set(schemas) == {"site", "provider", "physician", "notice"}
    provider = schemas["provider"]
    assert provider["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert provider["additionalProperties"] is False
    assert {"name", "services", "area", "address", "phone", "status"} <= set(provider["required"])
    status = provider["$defs"]["Status"]["properties"]["new_clients"]
    assert status["enum"] == ["accepting", "conditional", "not_accepting", "unknown"]


def test_schema_out_writes_files(run, tmp_path):
    code, _, err = run("schema", "--out", str(tmp_path / "schemas"))
    assert code == 0 and err == f"wrote 4 schemas to {tmp_path / 'schemas'}/\n"
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == [
        "notice.schema.json",
        "physician.schema.json",
        "provider.schema.json",
        "site.schema.json",
    ]


def _commands(group, prefix=()):
    import click

    for name, command in sorted(group.commands.items()):
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("command", [()] + list(_commands(cli)), ids=lambda c: " ".join(c) or "(top)")
def test_every_command_has_help(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    lines = result.output.splitlines()
    assert len(lines) > 2 and lines[2].strip(), f"{command}: no description"


def test_usage_error_names_the_option(run):
    code, _, err = run("build", "--today", "22/11/2026")
    assert code == 2
    assert "Invalid value for '--today'" in err


# --- build: passwords ---------------------------------------------------------------------------------


def _opens(site: Path, password: str) -> bool:
    return open_site(read_tree(site), password).read("index.html").startswith(b"<!doctype html>")


def test_build_with_passwords_from_the_environment(run, data_dir, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "\n".join(f'{k}: "{v}"' for k, v in STRONG.items()))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # the data is not a commit here
    with open("data/site.yaml", "a", encoding="utf-8") as site:  # a CI build needs the committed salt
        site.write('salt: "00112233445566778899aabbccddeeff"\n')
    code, out, err = run("build", "--out", "site", "--no-search", "--today", "2026-11-22", "--require-passwords")
    assert code == 0, err
    assert "警告" not in err and "デモ" not in err
    assert "完了: 事業所 3 件・医師 2 名、17 ページを暗号化して site/ に書き出しました" in err
    keys = json.loads(Path("site/keys.json").read_text())
    assert keys["iterations"] == 600_000 and len(keys["slots"]) == 2
    assert all(_opens(Path("site"), pw) for pw in STRONG.values())


def test_build_with_a_passwords_file(run, data_dir, tmp_path):
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text('caremanagers: "plum-teacup-glacier-mosaic-91"\n', encoding="utf-8")
    code, _, err = run(
        "build", "--out", "site", "--no-search", "--today", "2026-11-22", "--passwords-file", str(secrets)
    )
    assert code == 0, err
    assert _opens(Path("site"), "plum-teacup-glacier-mosaic-91")


@pytest.mark.parametrize(
    "password, why",
    [
        ("tsunagu-demo", "is the demo password, which is published in the README"),
        (
            "password1234",
            "is too easy to guess (This is a very common password.); it needs 64 bits: "
            "run `tsunagu passwords new caremanagers` for six random words",
        ),
        ("short", "is too short (at least 12 characters; better six random words)"),
        ("violet-harbor-lantern-93", "is an example from the README, which everyone can read"),
        # The site's own id and region plus a year: accepted before the site's words counted as known.
        (
            "test-city テスト市 北部 2026-11",
            "is too easy to guess (words of the site, names, dates or patterns are "
            "easy to guess); it needs 64 bits: run `tsunagu passwords new caremanagers` "
            "for six random words",
        ),
    ],
)
def test_build_refuses_weak_passwords(run, data_dir, monkeypatch, password, why):
    monkeypatch.setenv(ENV_VAR, f'caremanagers: "{password}"')
    code, out, err = run("build", "--out", "site", "--no-search", "--today", "2026-11-22")
    assert code == 1
    assert err == f"password for 'caremanagers' {why}\nnothing was written.\n"
    assert not Path("site").exists()


def test_require_passwords_refuses_a_demo_build(run, data_dir):
    code, _, err = run("build", "--out", "site", "--no-search", "--today", "2026-11-22", "--require-passwords")
    assert code == 1
    assert err.endswith(
        f"no passwords given: set ${ENV_VAR} or use --passwords-file (--require-passwords refuses a demo build)\n"
    )
    assert not Path("site").exists()


def test_demo_build_warns(run, data_dir):
    code, _, err = run("build", "--out", "site", "--no-search", "--today", "2026-11-22")
    assert code == 0
    assert err.startswith(
        "警告: パスワードが指定されていないため、デモ用のビルドです（パスワード: tsunagu-demo）。"
        "本番では TSUNAGU_PASSWORDS か --passwords-file を指定してください。\n"
    )
    assert _opens(Path("site"), "tsunagu-demo")


def test_build_data_errors_github_format_and_nothing_written(run, data_dir):
    write(Path(DAY_X), PROVIDER_X.replace("  new_clients: accepting\n", "  new_clients: yes\n"))
    code, out, err = run("build", "--out", "site", "--no-search", "--today", "2026-11-22", "--format", "github")
    assert code == 1
    assert out == (
        f"::error file={DAY_X},line=12::status.new_clients: expected one of accepting, conditional, "
        "not_accepting, unknown; got 'yes'\n"
    )
    assert err.endswith(f"{YES_ERROR}\n1 error found; nothing was written.\n")
    assert "Traceback" not in err
    assert not Path("site").exists()


def test_python_build_py_subprocess(tmp_path):
    import subprocess

    from conftest import REPO_DIR, make_tree

    make_tree(tmp_path)
    run = subprocess.run(
        [sys.executable, str(REPO_DIR / "build.py"), "validate", "--data", "data", "--today", "2026-11-22"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode, run.stdout) == (0, "")
    assert run.stderr == "OK: 事業所 3 件・医師 2 名・お知らせ 1 件、エラーはありません。\n"


def test_committed_schemas_are_current():
    """schema/*.schema.json are what `python build.py schema --out schema` writes (editors use them)."""
    import json

    from tsunagu.domain.schema import json_schemas

    folder = ROOT / "schema"
    for name, schema in json_schemas().items():
        committed = json.loads((folder / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert committed == schema, f"schema/{name}.schema.json is stale: run python build.py schema --out schema"


def test_passwords_new_prints_yaml_for_the_secret(run, data_dir):
    code, out, err = run("passwords", "new", "caremanagers", "city-office")
    assert code == 0, err
    assert err == (
        "# Paste these lines into the TSUNAGU_PASSWORDS secret (or a --passwords-file); "
        "give each group only its own line.\n"
    )
    made = parse_passwords(out, "stdout")
    assert list(made) == ["caremanagers", "city-office"]
    assert all(len(pw.split(" ")) == 6 for pw in made.values())
    check_passwords(made, require=True)


def test_passwords_new_refuses_too_few_words(run, data_dir):
    code, out, err = run("passwords", "new", "--words", "4", "caremanagers")
    assert (code, out) == (1, "")
    assert err == "--words 4 gives 52 bits; at least 64 are needed (5 words or more)\n"


def test_build_timings_prints_every_stage(run, data_dir):
    code, _, err = run("build", "--out", "site", "--today", "2026-11-22", "--timings")
    assert code == 0, err
    line = next(line for line in err.splitlines() if line.startswith("stages: "))
    assert re.fullmatch(
        r"stages: load [\d.]+ s, validate [\d.]+ s, render [\d.]+ s, index [\d.]+ s, seal [\d.]+ s, "
        r"publish [\d.]+ s",
        line,
    ), line
