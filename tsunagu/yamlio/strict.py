"""Strict YAML: safe, limited, YAML 1.2-like types, and the line of every value."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from tsunagu.domain.errors import Problem
from tsunagu.domain.text import MARKDOWN_FIELDS, forbidden_character, printable, refusal, shield

MAX_DEPTH = 16
MAX_NODES = 20_000

Path_ = tuple[str | int, ...]  # a field path such as ("status", "new_clients") or ("contact", "windows", 0)


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2-like implicit types: no yes/no booleans, no sexagesimal, no octal.

    People write `new_clients: yes` or `time: 13:00`; YAML 1.1 would turn those into
    True and 780, and the error would no longer show what they wrote.
    """


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp", re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"), list("0123456789")
)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _EventLoader(_Loader):  # type: ignore[misc, valid-type]
    pass


class _PyEventLoader(yaml.SafeLoader):
    pass


# Resolution only: the events are turned into values by _build, not by PyYAML's composer.
_EventLoader.yaml_implicit_resolvers = _Resolver.yaml_implicit_resolvers
_PyEventLoader.yaml_implicit_resolvers = _Resolver.yaml_implicit_resolvers


@dataclass
class Document:
    """One data file: its value and where each value stands in it."""

    path: str  # as shown in messages, e.g. data/providers/x.yaml
    value: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)
    body: str = ""  # Markdown after the front matter (notices)
    body_line: int = 0

    def line(self, path: Path_) -> int:
        """The line of a field, or of its nearest present parent."""
        path = tuple(path)
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def display_path(path: Path) -> str:
    """A path as people see it: relative to the working directory when below it."""
    # abspath, not resolve: a symbolic link is shown as itself, never as where it points.
    # String operations, one getcwd: called for every file of a prefecture (pathlib took 0.1 ms a call).
    cwd = os.getcwd()
    absolute = os.path.normpath(os.path.join(cwd, os.fspath(path)))
    prefix = cwd if cwd.endswith("/") else cwd + "/"
    if absolute == cwd:
        text = "."
    elif absolute.startswith(prefix):
        text = absolute[len(prefix) :]
    else:
        text = str(path)
    # A file name may hold an escape sequence or a bidi override: show it escaped, never raw.
    return printable(text)


MAX_KEY = 100
_MAP_TAG, _SEQ_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
MAX_DIGITS = 100  # no field holds a longer number; int() of a huge one is slow, and refused over 4,300 digits


def field_label(loc: Path_) -> str:
    """('contact', 'windows', 0, 'time') -> contact.windows[0].time"""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return printable(out)


class _Bad(Exception):
    def __init__(self, line: int, message: str, loc: Path_ = ()):
        self.line, self.message, self.loc = line, message, loc


def _convert(event: yaml.ScalarEvent, line: int, loc: Path_) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _EventLoader.resolve(_EventLoader, yaml.ScalarNode, event.value, event.implicit)
    value = event.value
    if tag == "tag:yaml.org,2002:str":
        return value
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and len(value) > MAX_DIGITS:
        raise _Bad(
            line,
            f"number too long ({len(value):,} characters; at most {MAX_DIGITS}); put it in quotes if it is text",
            loc,
        )
    if tag == "tag:yaml.org,2002:int":
        return int(value)
    if tag == "tag:yaml.org,2002:float":
        return float(value)
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:timestamp":
        try:
            y, m, d = (int(p) for p in value.split("-"))
            return dt.date(y, m, d)
        except ValueError:
            return value
    raise _Bad(line, f"unsupported YAML tag {tag!r}", loc)


class _Builder:
    """Turns parser events into values without recursion, refusing aliases, deep nesting and bad characters."""

    def __init__(self, doc: Document, found: list[Problem]):
        self.doc, self.found = doc, found
        self.stack: list[list[Any]] = []  # frames: [container, path, pending_key, key_line]
        self.root: Any = None
        self.nodes = 0
        self.seen_doc = False

    def feed(self, event: yaml.Event) -> None:
        """Take one parser event."""
        # Dispatch on the exact class, most frequent first: this runs for every value of every file.
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self.stack.pop()
            return
        line = event.start_mark.line + 1 if event.start_mark else 0
        if kind in _NODE_EVENTS:
            node = cast(yaml.NodeEvent, event)
            if node.anchor:
                raise _Bad(line, "YAML anchors and aliases (& and *) are not allowed; write the value out", self.here())
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _Bad(line, f"too many values (more than {MAX_NODES}) for one record", self.here())
            self._node(node, line)
        elif kind is yaml.DocumentStartEvent:
            if self.seen_doc:
                raise _Bad(line, "only one YAML document per file (remove the second '---')")
            self.seen_doc = True
        elif kind is yaml.AliasEvent:
            raise _Bad(line, "YAML anchors and aliases (& and *) are not allowed; write the value out", self.here())

    def here(self) -> Path_:
        """The field being read now (for messages about the text at this point)."""
        if not self.stack:
            return ()
        container, path, key = self.stack[-1][:3]
        if isinstance(container, list):
            return path + (len(container),)
        return path if key is _NO_KEY else path + (key,)

    def _node(self, event: yaml.NodeEvent, line: int) -> None:
        if not self.stack:
            self._place(event, line, (), None)
            return
        frame = self.stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            self._place(event, line, path + (len(container),), container)
        elif frame[2] is _NO_KEY:
            frame[2], frame[3] = self._key(event, line, path, container), line
        else:
            child = path + (frame[2],)
            self.doc.lines[child] = frame[3]
            self._place(event, frame[3] if isinstance(event, yaml.ScalarEvent) else line, child, container)
            frame[2] = _NO_KEY

    def _key(self, event: yaml.NodeEvent, line: int, path: Path_, container: dict[str, Any]) -> str:
        if not isinstance(event, yaml.ScalarEvent):
            raise _Bad(line, "a key must be plain text", path)
        key = event.value
        if not key.strip():
            raise _Bad(line, "a key must not be empty", path)
        if len(key) > MAX_KEY:
            raise _Bad(line, f"key too long ({len(key):,} characters; at most {MAX_KEY})", path + (key[:20] + "…",))
        self._check_text(key, line, path + (key,))
        if key in container:
            raise _Bad(line, f"duplicate key {key!r} (first at line {self.doc.lines[path + (key,)]})", path + (key,))
        return key

    def _place(self, event: yaml.NodeEvent, line: int, loc: Path_, container: Any) -> None:
        if isinstance(event, yaml.ScalarEvent):
            # A document that is one scalar is refused whole later ("expected a mapping"): kept as written.
            value = _convert(event, line, loc) if container is not None else event.value
            if isinstance(value, str) and container is not None:
                # A block scalar (| or >) starts on the line after its key.
                self._check_text(value, line + 1 if event.style in ("|", ">") else line, loc)
            self.doc.raw[loc] = event.value
        elif (tag := getattr(event, "tag", None)) not in (
            None,
            "!",
            _MAP_TAG if isinstance(event, yaml.MappingStartEvent) else _SEQ_TAG,
        ):
            raise _Bad(line, f"unsupported YAML tag {tag!r}", loc)
        elif len(self.stack) >= MAX_DEPTH:
            raise _Bad(line, f"nesting deeper than {MAX_DEPTH} levels", loc)
        else:
            value = {} if isinstance(event, yaml.MappingStartEvent) else []
            self.stack.append([value, loc, _NO_KEY, 0])
        if container is None:
            self.root = value
        elif isinstance(container, list):
            container.append(value)
        else:
            container[loc[-1]] = value
        self.doc.lines.setdefault(loc, line)

    def _check_text(self, text: str, line: int, loc: Path_) -> None:
        multiline = not MARKDOWN_FIELDS.isdisjoint(loc)  # a field path: names and list indexes
        bad = forbidden_character(text, multiline=multiline)
        if bad:
            at = line + text.count("\n", 0, bad[0]) if multiline else line
            self.found.append(Problem(self.doc.path, at, field_label(loc), refusal(bad[1])))


_NO_KEY = object()
_NODE_EVENTS = frozenset({yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent})


def _yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else 0
    problem = getattr(exc, "problem", None) or str(exc)
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        return line, "tab character in indentation; indent with spaces"
    return line, f"not valid YAML: {problem}"


def _parse(text: str, shown: str, loader: type) -> tuple[Document, list[Problem], str]:
    """Events of one parser into a Document, its problems, and who stopped it: "rule" (ours), "parser" or ""."""
    doc = Document(shown, None)
    found: list[Problem] = []
    builder = _Builder(doc, found)
    try:
        for event in yaml.parse(shield(text), Loader=loader):
            builder.feed(event)
        doc.value = builder.root
    except _Bad as bad:
        found.append(Problem(shown, bad.line, field_label(bad.loc), bad.message))
        return doc, found, "rule"
    except yaml.YAMLError as exc:
        line, message = _yaml_problem(exc, text)
        found.append(Problem(shown, line, field_label(builder.here()), message))
        return doc, found, "parser"
    return doc, found, ""


def parse_yaml(text: str, shown: str, problems: list[Problem], first_line: int = 1) -> Document | None:
    """Parse YAML text into a Document; problems are appended, not raised (None when there are any)."""
    doc, found, stopped = _parse(text, shown, _EventLoader)
    if stopped == "parser" and _Loader is not yaml.SafeLoader:
        # libyaml scans ahead and may stop on a limit of its own (newer builds refuse deep nesting in
        # their own words) before the events reach one of ours: the pure-Python parser, which streams,
        # says whether one of this file's own rules (nesting, aliases, size) is broken first.
        again = _parse(text, shown, _PyEventLoader)
        if again[2] == "rule":
            doc, found, stopped = again
    if first_line != 1:
        found = [Problem(p.file, p.line + first_line - 1 if p.line else 0, p.field, p.message) for p in found]
        doc.lines = {k: v + first_line - 1 for k, v in doc.lines.items()}
    problems.extend(found)
    return None if found else doc
