"""The workflow's side: every open relay issue, read strictly, applied oldest first (docs/relay-protocol.md § 6)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from tsunagu.contribute.relay.process import Result, process
from tsunagu.contribute.relay.seal import private_key

LABEL = "tsunagu-relay"
_RECEIPT = r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"
BODY_RE = re.compile(rf"tsunagu-relay: 1\ntype: (update|note)\nreceipt: ({_RECEIPT})\nlink: ([0-9a-f]{{32}})\n"
                     r"sealed: ([A-Za-z0-9_-]{100,43000})\n")
TITLE_RE = re.compile(rf"tsunagu (update|note) ({_RECEIPT})")


def parse_issue(issue: Any, bot: str) -> tuple[str, str, str, str] | None:
    """(type, receipt, link, sealed) of an issue the relay App opened, or None for anything else (never applied)."""
    if not isinstance(issue, dict) or not isinstance(issue.get("user"), dict):
        return None
    if issue["user"].get("login") != bot or "pull_request" in issue:     # who opened it, never what it says
        return None
    labels = {label.get("name") for label in issue.get("labels", []) if isinstance(label, dict)}
    body, title = issue.get("body"), issue.get("title")
    if LABEL not in labels or not isinstance(body, str) or not isinstance(title, str):
        return None
    match, head = BODY_RE.fullmatch(body), TITLE_RE.fullmatch(title)
    if not match or not head or head.groups() != match.groups()[:2]:
        return None
    return match[1], match[2], match[3], match[4]


def drain(issues: list[Any], bot: str, *, data_dir: Path, link_key: bytes, seal_text: str, now: int,
          today: dt.date) -> list[dict[str, Any]]:
    """Apply each relay issue in the order opened; what became of each, for labels and closing."""
    private = private_key(seal_text)
    out = []
    for issue in sorted((i for i in issues if isinstance(i, dict) and isinstance(i.get("number"), int)),
                        key=lambda i: i["number"]):
        parsed = parse_issue(issue, bot)
        if parsed is None:
            continue
        _kind, receipt, link, sealed = parsed
        result: Result = process(sealed, receipt, data_dir=data_dir, link_key=link_key, private=private, now=now,
                                 today=today, link=link)
        out.append({"number": issue["number"], "receipt": receipt, "outcome": result.outcome,
                    "reason": result.reason, "branch": result.branch})
    return out
