"""Round-trip YAML edits that keep people's comments, quoting and key order (ruamel.yaml)."""

from __future__ import annotations

import difflib
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq


def round_trip() -> YAML:
    """ruamel.yaml set up to give back a file as it was, apart from what we change."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines people wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    # The strict loader refuses anchors and aliases (&id001), which ruamel writes for a repeated value.
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


def load(text: str) -> Any:
    """A round-trip document from YAML text."""
    return round_trip().load(text)


def dump(doc: Any) -> str:
    """YAML text of a round-trip document."""
    out = io.StringIO()
    round_trip().dump(doc, out)
    return out.getvalue()


def plain(value: Any) -> Any:
    """ruamel's commented containers and scalar strings as plain Python, for comparing."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return value


def flow(items: list[Any]) -> CommentedSeq:
    """A list written inline, [a, b], as data-format.md shows lists."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def put(cmap: CommentedMap, key: str, value: Any, order: tuple[str, ...] | list[str]) -> None:
    """Set a key; a new key goes after the nearest present key that precedes it in `order`."""
    if key in cmap:
        cmap[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    pos = max((i + 1 for i, k in enumerate(cmap) if k in order and order.index(k) < rank), default=0)
    cmap.insert(pos, key, value)


def merge_lines(original: str, base: str, edited: str) -> str:
    """Apply the change base -> edited to original, so lines ruamel re-styled but we did not touch stay as written."""
    if base == original:
        return edited
    orig, old, new = (t.splitlines(keepends=True) for t in (original, base, edited))
    blocks = difflib.SequenceMatcher(None, old, orig, autojunk=False).get_matching_blocks()

    def at(i: int) -> int | None:
        return next((b + i - a for a, b, n in blocks if a <= i <= a + n), None)

    out: list[str] = []
    cursor = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lo, hi = i1, i2
        while at(lo) is None:
            lo -= 1
        while at(hi) is None:
            hi += 1
        start, end = at(lo), at(hi)
        assert start is not None and end is not None
        if start < cursor or end < start:
            return edited  # overlapping re-styled hunks: keep ruamel's whole output
        out += orig[cursor:start] + old[lo:i1] + new[j1:j2] + old[i2:hi]
        cursor = end
    return "".join(out + orig[cursor:])
