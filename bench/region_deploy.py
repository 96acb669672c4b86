"""What one automatic update costs a region repository, measured locally like a clean CI runner.

Steps timed: a fresh venv and the region workflow's own install line (the tsunagu wheel from --find-links,
every other package through pip's cache, as setup-python's `cache: pip` restores it), a production
build of the region at a commit, then a one-status edit committed and rebuilt, and the upload dry-run
(the files a host that keeps the previous build would be sent).

Usage: python bench/region_deploy.py --mhlw DIR --city CODE [--city CODE ...] --wheel tsunagu-….whl
       [--synth PROVIDERS PHYSICIANS [--varied]]   the region's data replaced by a synthetic prefecture (bench/synth.py)
       [--data DIR]   the region's data replaced by a copy of DIR (the eastern half: bench/east.py SOURCE DIR)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSWORDS = 'caremanagers: "ひまわり かたつむり えんぴつ ろうそく はくしゅ みずうみ"\n'


CPU: dict[str, float] = {}  # user + system seconds of each step: what a machine of our own would spend


def timed(label: str, args: list[str] | str, cwd: Path, env: dict, laps: dict) -> str:
    start, used = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, shell=isinstance(args, str))
    laps[label] = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[label] = now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime
    if done.returncode:
        sys.exit(f"{label} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mhlw", required=True, type=Path)
    parser.add_argument("--city", action="append", required=True)
    parser.add_argument("--wheel", required=True, type=Path)
    parser.add_argument("--synth", nargs=2, type=int, metavar=("PROVIDERS", "PHYSICIANS"))
    parser.add_argument("--varied", action="store_true")
    parser.add_argument("--data", type=Path, help="a data folder to copy over the region's (site.yaml included)")
    opts = parser.parse_args()
    laps: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="region-deploy-"))
    repo = work / "region"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    cities = [a for c in opts.city for a in ("--city", c)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tsunagu",
            "init",
            str(repo),
            "--mhlw",
            str(opts.mhlw),
            *cities,
            "--title",
            "つなぐ 計測",
            "--admin",
            "bench",
            "--tsunagu-wheel",
            str(opts.wheel),
            "--site-url",
            "https://care.example.jp/",
            "--non-interactive",
        ],
        check=True,
        capture_output=True,
        env={**os.environ},
    )
    if opts.synth:  # the workflows and pinned tsunagu of init, a prefecture's records (with the demo's salt)
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from synth import write_data

        write_data(repo / "data", *opts.synth, varied=opts.varied)
    if opts.data:  # the workflows and pinned tsunagu of init, another region's records and site.yaml
        shutil.rmtree(repo / "data")
        shutil.copytree(opts.data, repo / "data")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.jp"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], cwd=repo, check=True)
    venv_dir = work / "venv"
    timed("venv", [sys.executable, "-m", "venv", str(venv_dir)], work, env, laps)
    env["PATH"] = f"{venv_dir / 'bin'}{os.pathsep}{env['PATH']}"
    timed(
        "install",
        f"python -m pip install -q --require-hashes --no-deps -r requirements.txt --find-links {opts.wheel.parent}",
        repo,
        env,
        laps,
    )
    env["TSUNAGU_PASSWORDS"] = PASSWORDS
    timed(
        "build",
        ["tsunagu", "build", "--data", "data", "--out", str(work / "before"), "--require-passwords"],
        repo,
        env,
        laps,
    )
    provider = sorted((repo / "data" / "providers").glob("*.yaml"))[0]
    text = provider.read_text(encoding="utf-8")
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600))  # Japan
    now = re.search(r"(?m)^  new_clients: (\w+)$", text)
    answer = "not_accepting" if now and now.group(1) == "accepting" else "accepting"
    text = re.sub(r"(?m)^  new_clients: \w+$", f"  new_clients: {answer}", text)
    text = re.sub(r"(?m)^  updated: .*\n", "", text)  # the answer's date is today's
    provider.write_text(re.sub(r"(?m)^status:\n", f"status:\n  updated: {today}\n", text), encoding="utf-8")
    subprocess.run(
        [*git, "commit", "-q", "-am", "one status"],
        cwd=repo,
        check=True,
        env={**os.environ, "GIT_COMMITTER_DATE": f"@{int(time.time())} +0900"},
    )
    timed(
        "rebuild",
        ["tsunagu", "build", "--data", "data", "--out", str(work / "after"), "--require-passwords"],
        repo,
        env,
        laps,
    )
    upload = timed(
        "upload dry-run",
        [
            "python",
            ".github/deploy/netlify_upload.py",
            str(work / "after"),
            "--dry-run",
            "--previous",
            str(work / "before"),
        ],
        repo,
        env,
        laps,
    )
    providers = len(list((repo / "data" / "providers").glob("*.yaml")))
    total = laps["venv"] + laps["install"] + laps["rebuild"] + laps["upload dry-run"]
    print(f"{providers} providers; wall: " + ", ".join(f"{k} {v:.1f} s" for k, v in laps.items()))
    print("CPU (user + system): " + ", ".join(f"{k} {v:.1f} s" for k, v in CPU.items()))
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"one update (fresh venv + install + build + upload dry-run): {total:.1f} s; upload: {upload.strip()}")


if __name__ == "__main__":
    main()
