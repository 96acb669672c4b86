"""The browser's modules under Node's own test runner (tests/js/*.test.mjs): crypto, packs, locator, tokenizer and
time against the vectors Python is checked against; a constant changed on the browser's side alone fails them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import tools
from tools import ROOT

from tsunagu.web import STATIC_DIR

TESTS = ROOT / "tests" / "js"


def run_node(*files: str, static: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`node --test` (Node's built-ins only: no npm install) over tests/js or some of its files."""
    env = {**os.environ, "TSUNAGU_STATIC": str(static)} if static else {**os.environ}
    env.pop("NODE_OPTIONS", None)
    targets = [str(TESTS / f) for f in files] or [str(TESTS) + "/"]
    return subprocess.run(
        [tools.node(), "--test", *targets], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_node_runs_every_browser_unit_test():
    done = run_node()
    summary = dict(re.findall(r"^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$", done.stdout, flags=re.M))
    assert done.returncode == 0 and summary.get("fail") == "0", done.stdout[-4000:] + done.stderr[-2000:]
    assert int(summary["tests"]) >= 90 and summary["skipped"] == summary["todo"] == summary["cancelled"] == "0"
    names = set(re.findall(r"^# Subtest: (.+)$", done.stdout, flags=re.M))
    for expected in (
        "Padmé buckets",
        "checkKeys accepts and refuses what Python's check_keys does",
        "its rows are Python's: shared tags and entries past 16 MiB left out",
        'text "\ufeff山田"',
        "the date and minute in Japan, not on the device",
    ):
        assert expected in names, f"{expected!r} did not run"


# (file changed in a copy of static/, text replaced, replacement, the test file that must then fail, a test it names)
MUTATIONS = [
    (
        "wire.js",
        "export const MIN_BUCKET = 256;",
        "export const MIN_BUCKET = 512;",
        "entries.test.mjs",
        "Padmé buckets",
    ),
    ("wire.js", "[65279, 65279], ", "", "text.test.mjs", 'text "\ufeff山田"'),
    (
        "wire.js",
        "export const MIN_ITERATIONS = 600000;",
        "export const MIN_ITERATIONS = 500000;",
        "keys.test.mjs",
        "checkKeys accepts and refuses",
    ),
    (
        "packs.js",
        'W.PACK_LABEL + placement(path) + "\\0"',
        'W.PACK_LABEL + placement(path) + "/"',
        "pack.test.mjs",
        "every path's slot",
    ),
    (
        "seal.js",
        'utf8(W.FILE_AD + path + "\\0")',
        "utf8(W.FILE_AD + path)",
        "entries.test.mjs",
        "one entry: record page",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "old", "new", "test_file", "failing"), MUTATIONS, ids=[m[4] for m in MUTATIONS])
def test_a_constant_or_rule_changed_on_the_browser_side_alone_fails(tmp_path, name, old, new, test_file, failing):
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR, static)
    text = (static / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{name} no longer holds {old!r}: update this test"
    (static / name).write_text(text.replace(old, new), encoding="utf-8")
    done = run_node(test_file, static=static)
    assert done.returncode != 0, f"changing {name} ({old!r} -> {new!r}) failed no test"
    failed = re.findall(r"^not ok \d+ - (.+)$", done.stdout, flags=re.M)
    assert any(f.startswith(failing) for f in failed), failed
    assert run_node(test_file).returncode == 0  # the checkout's own modules pass the same file
