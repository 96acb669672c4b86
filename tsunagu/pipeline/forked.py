"""A function run in a forked process: its memory ends with it; its result comes back pickled through a pipe."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import TypeVar, cast

from tsunagu.domain.errors import BuildError

T = TypeVar("T")


def in_child(work: Callable[[], T]) -> T:
    """work() in a forked child; its result, or its exception raised here. Through a pipe: never on disk."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            outcome: object = work()
        except BaseException as exc:  # noqa: BLE001 - every failure is the parent's to raise
            outcome, code = exc, 1
        try:
            try:
                data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - an exception that does not pickle: its message does
                data = pickle.dumps(BuildError(f"{type(outcome).__name__}: {outcome}"))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    try:
        outcome = pickle.loads(data)
    except Exception:  # noqa: BLE001 - killed or crashed before it answered
        outcome = BuildError(f"the build's child process ended without a result (wait status {status})")
    if isinstance(outcome, BaseException):
        raise outcome
    return cast(T, outcome)
