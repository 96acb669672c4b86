"""Functions run in forked processes: their memory ends with them; their results come back pickled through pipes."""

from __future__ import annotations

import functools
import gc
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from tsunagu.domain.errors import BuildError

T = TypeVar("T")
R = TypeVar("R")


def in_child(work: Callable[[], T]) -> T:
    """work() in a forked child; its result, or its exception raised here. Through a pipe: never on disk."""
    return cast(T, _outcome(*_fork(work)))


def in_slices(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], processes: int) -> list[R]:
    """work over items dealt into `processes` slices, all at once: the first here, each other in a forked child
    (for CPU-bound Python work the GIL keeps threads from sharing); the results in the items' order."""
    slices = [items[i::processes] for i in range(max(1, min(processes, len(items))))]
    # The children only read what exists now: frozen, it stays out of their collector's way (which would
    # otherwise touch, and so copy, every object).
    gc.freeze()
    try:
        children = [_fork(functools.partial(work, part)) for part in slices[1:]]
    finally:
        gc.unfreeze()
    results: list[list[R]] = []
    failure: BaseException | None = None
    try:
        results.append(work(slices[0]))
    except BaseException as exc:  # noqa: BLE001 - raised once the children are reaped
        failure = exc
    for pid, read_end in children:  # every child is reaped, even after one failed
        try:
            results.append(cast(list[R], _outcome(pid, read_end)))
        except BaseException as exc:  # noqa: BLE001 - raised once the others are reaped
            failure = failure or exc
    if failure is not None:
        raise failure
    out: list[R] = [None] * len(items)  # type: ignore[list-item]
    for i, result in enumerate(results):
        if len(result) != len(slices[i]):
            raise BuildError(f"a forked slice gave {len(result)} results for {len(slices[i])} items")
        out[i :: len(slices)] = result
    return out


def _fork(work: Callable[[], object]) -> tuple[int, int]:
    """A child running work(), and the read end of the pipe its pickled outcome comes through."""
    read_end, write_end = os.pipe()
    sys.stdout.flush()  # or the child would write out what the parent's buffers held as well
    sys.stderr.flush()
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
    return pid, read_end


def _outcome(pid: int, read_end: int) -> object:
    """The child's result, or its exception raised here, once it has ended."""
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    try:
        outcome = pickle.loads(data)
    except Exception:  # noqa: BLE001 - killed or crashed before it answered
        outcome = BuildError(f"the build's child process ended without a result (wait status {status})")
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
