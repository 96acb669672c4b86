"""The embedded relay of `serve --relay`: the same checks and the same apply path as the hosted relay and the
workflow, on one machine, writing into the local git repository of --data and rebuilding."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tsunagu.contribute.changes import GitError
from tsunagu.contribute.links import (
    RECEIPT_RE,
    LinkRefused,
    link_id,
    parse_key,
    parse_replay,
    receipt_of,
    relay_check,
    relay_key,
)
from tsunagu.contribute.relay.commit import repo_root
from tsunagu.contribute.relay.process import Result, process
from tsunagu.contribute.relay.seal import new_private_key, private_key, public_key_text
from tsunagu.domain.errors import TsunaguError

MAX_BODY = 32 * 1024
PER_LINK_PER_HOUR = 30
PER_ADDRESS_PER_HOUR = 120
_SEALED = r"^[A-Za-z0-9_-]{100,43000}$"
MESSAGES = {
    "bad_request": "送信内容を読み取れませんでした。",
    "too_large": "送信内容が大きすぎます。",
    "rate_limited": "送信が多すぎます。しばらくしてからもう一度お試しください。",
}


def local_dir(data_dir: Path) -> Path:
    """Where a local run keeps its keys and receipts: inside .git, never in the work tree or a commit."""
    if not Path(data_dir).is_dir():
        raise TsunaguError(f"{data_dir}: data folder not found")
    try:
        root = repo_root(data_dir)
    except GitError:
        raise TsunaguError(
            f"{data_dir}: not in a git repository: run `git init` where data/ is (the local run keeps "
            "its keys in .git/), or set TSUNAGU_LINK_KEY and TSUNAGU_SEAL_KEY "
            "(python build.py link-keys)"
        ) from None
    folder = root / ".git" / "tsunagu"
    if not (root / ".git").is_dir():
        raise TsunaguError(f"{data_dir}: the data folder must be in a git repository of its own (not a worktree)")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def local_keys(data_dir: Path, *, create: bool) -> tuple[bytes, str]:
    """(link key, seal private key): from TSUNAGU_LINK_KEY / TSUNAGU_SEAL_KEY, else the local run's own files."""
    env_link, env_seal = os.environ.get("TSUNAGU_LINK_KEY"), os.environ.get("TSUNAGU_SEAL_KEY")
    if env_link and env_seal:
        return parse_key(env_link), env_seal.strip()
    if os.environ.get("GITHUB_ACTIONS") == "true":
        raise TsunaguError("TSUNAGU_LINK_KEY and TSUNAGU_SEAL_KEY: set both as secrets; CI never invents keys")
    folder = local_dir(data_dir)
    out = []
    for name, env, make in (
        ("link.key", env_link, lambda: os.urandom(32).hex()),
        ("seal.key", env_seal, new_private_key),
    ):
        path = folder / name
        if env:
            out.append(env.strip())
        elif path.is_file():
            out.append(path.read_text().strip())
        elif create:
            path.write_text(make() + "\n")
            path.chmod(0o600)
            out.append(path.read_text().strip())
        else:
            raise TsunaguError(f"{name}: no key yet; run `python build.py links` first, or set {name.split('.')[0]}")
    return parse_key(out[0]), out[1]


class LocalRelay:
    """POST /api/update and GET /api/receipt/<id>, applied one at a time by a worker thread that rebuilds."""

    def __init__(self, data_dir: Path, rebuild: Callable[[], None], clock: Callable[[], float] = time.time):
        self.data_dir = data_dir
        self.link_key, seal_text = local_keys(data_dir, create=True)
        self.private = private_key(seal_text)
        self.public_key = public_key_text(seal_text)
        self.rebuild, self.clock = rebuild, clock
        self.receipts_file = local_dir(data_dir) / "receipts.json"
        self.results: dict[str, dict[str, Any]] = (
            json.loads(self.receipts_file.read_text()) if self.receipts_file.is_file() else {}
        )
        self.seen: dict[str, list[float]] = defaultdict(list)
        self.jobs: queue.Queue[tuple[str, str, str]] = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._work, daemon=True).start()

    def post(self, body: bytes, origin: str | None, own_origin: str, address: str = "") -> tuple[int, dict[str, Any]]:
        """The relay's checks, then the submission is queued; 202 with its receipt."""
        if len(body) > MAX_BODY:
            return 413, {"error": "too_large", "message": MESSAGES["too_large"]}
        # The page's own host only (a TLS proxy in front may make the scheme differ from the one served here).
        if origin is not None and urlsplit(origin).netloc != urlsplit(own_origin).netloc:
            return 400, {"error": "bad_request", "message": MESSAGES["bad_request"]}
        try:
            data = json.loads(body)
            if (
                not isinstance(data, dict)
                or set(data) != {"v", "type", "token", "replay", "sealed"}
                or data["v"] != 1
                or data["type"] not in ("update", "note")
                or not isinstance(data["sealed"], str)
                or not re.match(_SEALED, data["sealed"])
            ):
                raise ValueError
            receipt = receipt_of(parse_replay(data["replay"]))
        except (ValueError, TypeError):
            return 400, {"error": "bad_request", "message": MESSAGES["bad_request"]}
        now = self.clock()
        try:
            relay_check(data["token"], relay_key(self.link_key), int(now))
        except LinkRefused as exc:
            return 403, {"error": exc.reason, "message": str(exc)}
        link = link_id(data["token"])
        recent = [t for t in self.seen[link] if now - t < 3600]
        by_address = [t for t in self.seen["address " + address] if now - t < 3600]
        if len(recent) >= PER_LINK_PER_HOUR or len(by_address) >= PER_ADDRESS_PER_HOUR:
            return 429, {"error": "rate_limited", "message": MESSAGES["rate_limited"]}
        with self.lock:
            known = receipt in self.results
            if not known:
                self.results[receipt] = {"receipt": receipt, "outcome": "pending", "label": "処理中"}
        if not known:  # a retry of the same submission is not queued twice
            self.seen[link] = [*recent, now]
            self.seen["address " + address] = [*by_address, now]
            self.jobs.put((data["sealed"], receipt, link))
        return 202, {"receipt": receipt}

    def outcome(self, receipt: str) -> tuple[int, dict[str, Any]]:
        """What the receipt page shows."""
        if not RECEIPT_RE.match(receipt):
            return 400, {"error": "bad_request", "message": MESSAGES["bad_request"]}
        with self.lock:
            found = self.results.get(receipt)
        return (200, found) if found else (200, {"receipt": receipt, "outcome": "pending", "label": "処理中"})

    def _work(self) -> None:
        while True:
            sealed, receipt, link = self.jobs.get()
            result = self.apply(sealed, receipt, link)
            with self.lock:
                self.results[receipt] = result.public()
                self.receipts_file.write_text(json.dumps(self.results, ensure_ascii=False, indent=1))

    def apply(self, sealed: str, receipt: str, link: str) -> Result:
        """Apply one submission and rebuild the site when it changed the default branch."""
        now = self.clock()
        today = dt.datetime.fromtimestamp(now, dt.timezone(dt.timedelta(hours=9))).date()
        try:
            result = process(
                sealed,
                receipt,
                data_dir=self.data_dir,
                link_key=self.link_key,
                private=self.private,
                now=int(now),
                today=today,
                link=link,
            )
        except TsunaguError:
            result = Result(receipt, "refused", reason="invalid")
        if result.outcome == "applied":
            self.rebuild()
        elif result.outcome == "noted":  # for the admins of this machine; never in the data
            with (local_dir(self.data_dir) / "notes.jsonl").open("a", encoding="utf-8") as f:
                f.write(
                    json.dumps(
                        {"receipt": receipt, "record": result.record, "note": result.note, "at": int(now)},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        return result
