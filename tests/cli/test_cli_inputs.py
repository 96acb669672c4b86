"""Every command, given a missing or garbled input, ends with a clean message and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

from tsunagu.cli import cli, main


def _inputs(tmp: Path) -> dict[str, Path]:
    garbled = tmp / "garbled"
    (garbled / "providers").mkdir(parents=True)
    (garbled / "site.yaml").write_bytes(b"\xff\xfe\x00garbage: [unclosed\n")
    (garbled / "providers" / "x.yaml").write_bytes(b"name: [\n\x00\x01")
    not_a_folder = tmp / "file.txt"
    not_a_folder.write_text("just text\n", encoding="utf-8")
    binary = tmp / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    return {"missing": tmp / "no-such-thing", "garbled": garbled, "file": not_a_folder, "binary": binary}


def _cases(tmp: Path) -> list[list[str]]:
    i = _inputs(tmp)
    cases = []
    for name in ("missing", "garbled", "file"):
        data = str(i[name])
        cases += [["build", "--data", data, "--out", str(tmp / "out")], ["validate", "--data", data],
                  ["stale", "--data", data], ["codeowners", "--data", data, "--out", "-"],
                  ["check-owners", "--data", data, "--author", "someone", "--changed", "data/providers/x.yaml"],
                  ["intake", str(i["binary"]), "--author", "someone", "--data", data],
                  ["import-mhlw", str(i["binary"]), "--city", "082015", "--data", data],
                  ["diff", "no-such-rev", "HEAD", "--data", data],
                  ["gate", "--base-rev", "no-such-rev", "--head-rev", "HEAD", "--author", "x", "--data", data]]
    cases += [["intake", str(i["missing"]), "--author", "x"], ["import-mhlw", str(i["missing"]), "--city", "082015"],
              ["import-mhlw", str(i["file"]), "--city", "not-a-code"], ["build", "--passwords-file", str(i["binary"])],
              ["build", "--passwords-file", str(i["missing"])], ["validate", "--today", "2026-13-45"],
              ["schema", "--out", str(i["file"])], ["serve", "--port", "not-a-number"],
              ["check-owners", "--author", "x", "--changed-from", str(i["missing"])],
              ["passwords", "new", "--words", "3", "caremanagers"], ["passwords", "new", "Not A Label"],
              ["passwords", "new"], ["init", str(tmp / "region"), "--non-interactive"],
              ["init", str(i["file"]), "--non-interactive"],
              ["init", str(tmp / "region"), "--city", "x", "--mhlw", str(i["binary"]), "--title", " ", "--admin", "-",
               "--non-interactive"],
              ["deploy-check", "--site", str(i["garbled"]), "--live", "http://127.0.0.1:9/"],
              ["deploy-check", "--site", str(i["missing"]), "--live", "not a url"]]
    return cases


def test_every_command_is_walked(tmp_path):
    walked = {case[0] for case in _cases(tmp_path)}
    assert walked == set(cli.commands), f"commands without a garbled-input case: {set(cli.commands) - walked}"


def test_garbled_inputs_end_cleanly(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)   # diff runs git: outside a repository
    failures = []
    for case in _cases(tmp_path):
        monkeypatch.setattr(sys, "argv", ["tsunagu", *case])
        try:
            main()
        except SystemExit as exited:
            out, err = capsys.readouterr()
            if exited.code in (0, None) or "Traceback" in out + err or not (out + err).strip():
                failures.append(f"{case}: exit {exited.code}: {(out + err).strip()[:200]!r}")
        except Exception as exc:  # noqa: BLE001 - a traceback is exactly what this test looks for
            failures.append(f"{case}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)
