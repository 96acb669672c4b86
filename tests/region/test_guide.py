"""Every command of the admins' guide (docs/guide) runs, in order, on a region made from the MHLW sample rows;
the few that need a network, a server or a link key are parsed against the CLI (the same options as --help)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import REPO_DIR

from tsunagu.cli import cli

GUIDE = REPO_DIR / "docs" / "guide"
ORDER = ["setup.md", "operations.md", "passwords.md", "trouble.md"]
SAMPLES = REPO_DIR / "tests" / "fixtures" / "mhlw" / "samples"
# Set-up lines that are not tsunagu's (making the venv and installing the wheel; tests/region/test_init.py
# installs the wheel with the region's own install line in a clean venv).
SETUP = {"python3 -m venv .venv", ". .venv/bin/activate", "python -m pip install tsunagu-0.1.0-py3-none-any.whl"}
# Run for real; the rest need a server, the network, a filled-in spreadsheet or a link key: parsed only.
RUN = {"init", "import-mhlw", "validate", "build", "stale", "passwords", "answers template", "schema"}


def commands() -> list[tuple[str, str]]:
    """(file, line) of every line in a ```sh block of the guide, in reading order."""
    assert sorted(p.name for p in GUIDE.glob("*.md")) == sorted([*ORDER, "README.md"])
    found = []
    for name in ORDER:
        for block in re.findall(r"```sh\n(.*?)```", (GUIDE / name).read_text(encoding="utf-8"), re.S):
            found += [(name, line.strip()) for line in block.splitlines() if line.strip()]
    return found


def resolve(args: list[str]) -> tuple[click.Command, list[str], str]:
    """The click command an argument list names, its own arguments, and its name (with the group's)."""
    command: click.Command = cli
    names = []
    while isinstance(command, click.Group) and args and args[0] in command.commands:
        names.append(args[0])
        command, args = command.commands[args[0]], args[1:]
    return command, args, " ".join(names)


@pytest.mark.slow
def test_every_command_of_the_guide_runs_or_parses(tmp_path: Path, monkeypatch):
    shutil.copytree(SAMPLES, tmp_path / "opendata")
    (tmp_path / "tsunagu-0.1.0-py3-none-any.whl").write_bytes(b"only its hash is pinned here")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TSUNAGU_PASSWORDS", raising=False)
    ran, parsed = [], []
    for name, line in commands():
        if line in SETUP:
            continue
        if line.startswith("cd "):
            monkeypatch.chdir(Path.cwd() / line[3:])
            continue
        assert line.startswith("tsunagu "), f"{name}: not a tsunagu command: {line}"
        words = shlex.split(line)[1:]
        out = None
        if ">" in words:
            words, out = words[: words.index(">")], words[words.index(">") + 1]
        command, args, full = resolve(words)
        if full in RUN or full.split(" ")[0] in RUN:
            result = CliRunner().invoke(cli, words, catch_exceptions=False)
            assert result.exit_code == 0, f"{name}: {line}\n{result.output}"
            if out:
                Path(out).write_text(result.stdout, encoding="utf-8")
            ran.append(full)
        else:
            with command.make_context(full, list(args)) as _ctx:  # a usage error fails here
                parsed.append(full)
    assert {"init", "import-mhlw", "validate", "build", "stale", "passwords new", "answers template"} <= set(ran)
    assert {"serve", "links", "sheets", "link-revoke", "answers apply", "deploy-check"} <= set(parsed)
    assert Path("passwords.yaml").is_file() and Path("site/keys.json").is_file()


@pytest.mark.parametrize("name", ORDER)
def test_the_guide_is_japanese_and_names_no_missing_page(name: str):
    text = (GUIDE / name).read_text(encoding="utf-8")
    assert re.search(r"[ぁ-ん]", text)
    for link in re.findall(r"\]\(([^)#]+\.md)\)", text):
        assert (GUIDE / link).resolve().is_file(), f"{name}: {link}"


def test_the_data_format_lists_every_field_as_the_models_describe_it():
    from tsunagu.domain.schema import with_field_reference

    text = (REPO_DIR / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert with_field_reference(text) == text, (
        "stale: run python build.py schema --out schema --doc docs/data-format.md"
    )
    for name in ("new_clients", "alternative_support", "post_infection", "stale_after_days", "area_map", "salt"):
        assert f"| `{name}` |" in text, name


def test_every_schema_property_has_a_japanese_description():
    from tsunagu.domain.schema import json_schemas

    def walk(schema, where):
        for key, prop in schema.get("properties", {}).items():
            assert re.search(r"[ぁ-んァ-ン一-龥]", prop.get("description", "")), f"{where}.{key}"
        for name, sub in schema.get("$defs", {}).items():
            walk(sub, name)

    for name, schema in json_schemas().items():
        assert re.search(r"[ぁ-んァ-ン一-龥]", schema["description"]), name
        walk(schema, name)
