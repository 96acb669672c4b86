"""Run a step in a child process and measure it: wall time, peak memory of its whole process tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    """What one step cost, and what it printed as its JSON result."""

    seconds: float
    peak_tree_mb: float  # the largest sum of proportional set sizes (PSS) of the process and its descendants
    maxrss_mb: float  # the largest single-process resident set (wait4 ru_maxrss, descendants included)
    result: dict
    timeline: list[tuple[float, float]]  # (seconds since start, process tree PSS in MB), every sample


def _descendants(pid: int) -> list[int]:
    """The process and all its descendants, including children started from any of its threads
    (/proc/PID/task/TID/children lists a thread's own children only: the build starts Pagefind from a pool thread)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            tasks = [t.name for t in Path(f"/proc/{current}/task").iterdir()]
        except OSError:
            continue
        for task in tasks:
            try:
                todo.extend(int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split())
            except OSError:
                continue
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run a command; sample the PSS of its process tree every 50 ms; parse the last stdout line as JSON."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, env={**os.environ, **(env or {})}, cwd=cwd)
    peak = 0
    timeline: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            now = sum(_pss_kb(p) for p in _descendants(proc.pid))
            peak = max(peak, now)
            timeline.append((time.perf_counter() - started, now / 1024))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    output = proc.stdout.read().decode()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode})")
    lines = [line for line in output.splitlines() if line.startswith("{")]
    return Measured(seconds, peak / 1024, usage.ru_maxrss / 1024, json.loads(lines[-1]) if lines else {}, timeline)


def peak_stage(measured: Measured) -> str:
    """The build stage during which the process tree's memory peaked (from its stage times), e.g. 'index'."""
    stages = measured.result.get("stages") or {}
    if not measured.timeline or not stages:
        return "?"
    at = max(measured.timeline, key=lambda s: s[1])[0]
    # Stage times start after the interpreter and imports: count them back from the end.
    end = measured.seconds
    for name, seconds in reversed(list(stages.items())):
        if at >= end - seconds:
            return name
        end -= seconds
    return "start-up"


def python_step(module_args: list[str], **kwargs) -> Measured:
    """This interpreter running a bench step (bench/steps.py) with the checkout on the path."""
    repo = Path(__file__).resolve().parents[1]
    env = {"PYTHONPATH": f"{repo}{os.pathsep}{repo / 'bench'}"}
    return run_measured([sys.executable, str(repo / "bench" / "steps.py"), *module_args], env=env, **kwargs)
