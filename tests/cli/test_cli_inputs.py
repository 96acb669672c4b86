"""Every command, given a missing or garbled input, ends with a clean message and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from conftest import DEMO_DATA

from tsunagu.cli import cli, main

URL = "https://care.example.jp/"
# A well-formed key pair for the cases that get past the keys (the demo data is read, never written).
KEYS = ["TSUNAGU_LINK_KEY=" + "11" * 32, "TSUNAGU_SEAL_KEY=" + "22" * 32]


def _inputs(tmp: Path) -> dict[str, Path]:
    garbled = tmp / "garbled"
    (garbled / "providers").mkdir(parents=True)
    (garbled / "site.yaml").write_bytes(b"\xff\xfe\x00garbage: [unclosed\n")
    (garbled / "providers" / "x.yaml").write_bytes(b"name: [\n\x00\x01")
    not_a_folder = tmp / "file.txt"
    not_a_folder.write_text("just text\n", encoding="utf-8")
    binary = tmp / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    issues = tmp / "issues.json"  # what the REST API might hand the workflow, hostile: not issues at all
    issues.write_text(
        json.dumps([{"number": "1; rm -rf /", "body": None, "user": 7}, "not an issue"]), encoding="utf-8"
    )
    return {
        "missing": tmp / "no-such-thing",
        "garbled": garbled,
        "file": not_a_folder,
        "binary": binary,
        "issues": issues,
    }


def _cases(tmp: Path) -> list[list[str]]:
    i = _inputs(tmp)
    cases = []
    for name in ("missing", "garbled", "file"):
        data = str(i[name])
        cases += [
            ["build", "--data", data, "--out", str(tmp / "out")],
            ["validate", "--data", data],
            ["stale", "--data", data],
            ["codeowners", "--data", data, "--out", "-"],
            ["check-owners", "--data", data, "--author", "someone", "--changed", "data/providers/x.yaml"],
            ["intake", str(i["binary"]), "--author", "someone", "--data", data],
            ["import-mhlw", str(i["binary"]), "--city", "082015", "--data", data],
            ["diff", "no-such-rev", "HEAD", "--data", data],
            ["gate", "--base-rev", "no-such-rev", "--head-rev", "HEAD", "--author", "x", "--data", data],
            ["links", "--base-url", URL, "--data", data],
            [*KEYS, "links", "--base-url", URL, "--data", data],
            ["link-revoke", "prov-001", "--data", data],
            ["admin-link", "--base-url", URL, "--data", data, "--login", "city-admin"],
            [*KEYS, "sheets", "--base-url", URL, "--out", str(tmp / "sheets.pdf"), "--data", data],
            ["answers", "apply", str(i["binary"]), "--via", "fax", "--by", "city-admin", "--data", data],
            ["answers", "template", "--data", data, "--out", str(tmp / "round.csv")],
            [*KEYS, "relay", "drain", "--issues", str(i["issues"]), "--outcomes", str(tmp / "o.json"), "--data", data],
            [*KEYS, "relay", "show", "--issues", str(i["issues"]), "--data", data],
        ]
    cases += [
        ["intake", str(i["missing"]), "--author", "x"],
        ["import-mhlw", str(i["missing"]), "--city", "082015"],
        ["import-mhlw", str(i["file"]), "--city", "not-a-code"],
        ["build", "--passwords-file", str(i["binary"])],
        ["build", "--passwords-file", str(i["missing"])],
        ["validate", "--today", "2026-13-45"],
        ["schema", "--out", str(i["file"])],
        ["serve", "--port", "not-a-number"],
        ["check-owners", "--author", "x", "--changed-from", str(i["missing"])],
        ["passwords", "new", "--words", "3", "caremanagers"],
        ["passwords", "new", "Not A Label"],
        ["passwords", "new"],
        ["init", str(tmp / "region"), "--non-interactive"],
        ["init", str(i["file"]), "--non-interactive"],
        [
            "init",
            str(tmp / "region"),
            "--city",
            "x",
            "--mhlw",
            str(i["binary"]),
            "--title",
            " ",
            "--admin",
            "-",
            "--non-interactive",
        ],
        ["TSUNAGU_LINK_KEY=not-hex", "link-keys"],
        ["TSUNAGU_LINK_KEY=" + "ab" * 8, "link-keys"],
        ["TSUNAGU_LINK_KEY=zz", "links", "--base-url", URL, "--data", str(DEMO_DATA)],
        [*KEYS, "links", "--base-url", URL, "--data", str(DEMO_DATA), "--group", "no-such-id,../../etc"],
        [*KEYS, "links", "--base-url", URL, "--expires-days", "0"],
        [*KEYS, "admin-link", "--base-url", URL, "--data", str(DEMO_DATA), "--login", "admin; rm -rf /"],
        [*KEYS, "admin-link", "--base-url", URL, "--login", "city-admin", "--days", "365"],
        ["link-revoke", "../../etc/passwd", "--data", str(i["missing"])],
        ["link-revoke"],
        [
            *KEYS,
            "sheets",
            "--base-url",
            URL,
            "--out",
            str(tmp / "s.pdf"),
            "--data",
            str(DEMO_DATA),
            "--only",
            "no-such-id",
        ],
        [*KEYS, "sheets", "--base-url", URL, "--out", str(i["missing"] / "deeper" / "s.pdf"), "--data", str(DEMO_DATA)],
        ["answers", "apply", str(i["missing"]), "--via", "phone", "--by", "city-admin"],
        ["answers", "apply", str(i["file"]), "--via", "email", "--by", "city-admin"],
        ["answers", "template", "--data", str(DEMO_DATA), "--out", str(i["missing"] / "deeper" / "r.csv")],
        ["answers", "no-such-step"],
        [*KEYS, "relay", "drain", "--issues", str(i["binary"]), "--outcomes", str(tmp / "o.json")],
        [*KEYS, "relay", "show", "--issues", str(i["missing"])],
        ["relay", "show", "--issues", str(i["file"])],
        ["relay", "no-such-step"],
        ["deploy-check", "--site", str(i["garbled"]), "--live", "http://127.0.0.1:9/"],
        ["deploy-check", "--site", str(i["missing"]), "--live", "not a url"],
    ]
    return cases


def _split(case: list[str]) -> tuple[dict[str, str], list[str]]:
    """A case's leading NAME=VALUE environment (as a shell writes it) and its arguments."""
    env = [a for a in case if re.fullmatch(r"[A-Z_]+=.*", a)]
    return dict(a.split("=", 1) for a in env), case[len(env) :]


def test_every_command_is_walked(tmp_path):
    walked = {_split(case)[1][0] for case in _cases(tmp_path)}
    assert walked == set(cli.commands), f"commands without a garbled-input case: {set(cli.commands) - walked}"


def test_garbled_inputs_end_cleanly(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # diff runs git: outside a repository
    failures = []
    for name in ("TSUNAGU_LINK_KEY", "TSUNAGU_SEAL_KEY", "TSUNAGU_RELAY_BOT", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    for case in _cases(tmp_path):
        env, args = _split(case)
        monkeypatch.setattr(sys, "argv", ["tsunagu", *args])
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        try:
            main()
        except SystemExit as exited:
            out, err = capsys.readouterr()
            if exited.code in (0, None) or "Traceback" in out + err or not (out + err).strip():
                failures.append(f"{case}: exit {exited.code}: {(out + err).strip()[:200]!r}")
        except Exception as exc:  # noqa: BLE001 - a traceback is exactly what this test looks for
            failures.append(f"{case}: {type(exc).__name__}: {exc}")
        finally:
            for name in env:
                monkeypatch.delenv(name)
    assert not failures, "\n".join(failures)
