"""The workflow's side: every open relay issue, read strictly, applied oldest first (docs/relay-protocol.md § 6)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from pathlib import Path
from typing import Any

from tsunagu.contribute.links import relay_key
from tsunagu.contribute.relay.process import Result, process
from tsunagu.contribute.relay.seal import private_key

LABEL = "tsunagu-relay"
_RECEIPT = r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"
BODY_RE = re.compile(
    rf"tsunagu-relay: 1\ntype: (update|note)\nreceipt: ({_RECEIPT})\nlink: ([0-9a-f]{{32}})\n"
    r"sealed: ([A-Za-z0-9_-]{100,43000})\ntag: ([0-9a-f]{32})\n"
)
TITLE_RE = re.compile(rf"tsunagu (update|note) ({_RECEIPT})")
ISSUE_LABEL = b"tsunagu/issue/v1\x00"


def issue_tag(k_relay: bytes, title: str, body_without_tag: str) -> str:
    """The relay's tag over the issue it wrote: an edited title or body no longer matches it."""
    data = ISSUE_LABEL + title.encode() + b"\n" + body_without_tag.encode()
    return hmac.new(k_relay, data, hashlib.sha256).hexdigest()[:32]


def issue_text(k_relay: bytes, kind: str, receipt: str, link: str, sealed: str) -> tuple[str, str]:
    """(title, body) exactly as the relay writes them (docs/relay-protocol.md § 6)."""
    title = f"tsunagu {kind} {receipt}"
    body = f"tsunagu-relay: 1\ntype: {kind}\nreceipt: {receipt}\nlink: {link}\nsealed: {sealed}\n"
    return title, body + f"tag: {issue_tag(k_relay, title, body)}\n"


def _from_relay(issue: dict[str, Any], bot: str) -> bool:
    user, labels = issue.get("user"), issue.get("labels")
    return (
        isinstance(user, dict)
        and user.get("login") == bot
        and isinstance(labels, list)
        and any(isinstance(label, dict) and label.get("name") == LABEL for label in labels)
    )


def parse_issue(issue: Any, bot: str, k_relay: bytes) -> tuple[str, str, str, str] | None:
    """(type, receipt, link, sealed) of an issue the relay App opened and nobody edited since; None otherwise."""
    if not isinstance(issue, dict) or not _from_relay(issue, bot) or "pull_request" in issue:
        return None  # who opened it decides, never what it says
    body, title = issue.get("body"), issue.get("title")
    if not isinstance(body, str) or not isinstance(title, str):
        return None
    match, head = BODY_RE.fullmatch(body), TITLE_RE.fullmatch(title)
    if not match or not head or head.groups() != match.groups()[:2]:
        return None
    unsigned = body[: body.rindex("tag: ")]
    if not hmac.compare_digest(issue_tag(k_relay, title, unsigned), match[5]):
        return None
    return match[1], match[2], match[3], match[4]


def drain(
    issues: list[Any], bot: str, *, data_dir: Path, link_key: bytes, seal_text: str, now: int, today: dt.date
) -> list[dict[str, Any]]:
    """Apply each relay issue in the order opened; what became of each, for labels and closing."""
    private, k_relay = private_key(seal_text), relay_key(link_key)
    out = []
    for issue in sorted(
        (i for i in issues if isinstance(i, dict) and isinstance(i.get("number"), int)), key=lambda i: i["number"]
    ):
        parsed = parse_issue(issue, bot, k_relay)
        if parsed is None:
            if _from_relay(issue, bot):  # the relay's, but edited or malformed: closed, never applied
                title = issue.get("title")
                found = re.search(_RECEIPT, title) if isinstance(title, str) else None
                out.append(
                    {
                        "number": issue["number"],
                        "receipt": found[0] if found else None,
                        "outcome": "refused",
                        "reason": "invalid",
                        "branch": None,
                    }
                )
            continue
        _kind, receipt, link, sealed = parsed
        result: Result = process(
            sealed, receipt, data_dir=data_dir, link_key=link_key, private=private, now=now, today=today, link=link
        )
        out.append(
            {
                "number": issue["number"],
                "receipt": receipt,
                "outcome": result.outcome,
                "reason": result.reason,
                "branch": result.branch,
            }
        )
    return out
