"""Strict YAML: safe, limited, YAML 1.2-like types, and the line of every value."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tsunagu.domain.errors import Problem

MAX_DEPTH = 16
MAX_NODES = 20_000

Path_ = tuple  # a field path such as ("status", "new_clients") or ("contact", "windows", 0)


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2-like implicit types: no yes/no booleans, no sexagesimal, no octal.

    People write `new_clients: yes` or `time: 13:00`; YAML 1.1 would turn those into
    True and 780, and the error would no longer show what they wrote.
    """


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"), list("-+0123456789."))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp", re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"), list("0123456789"))

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _EventLoader(_Loader):  # type: ignore[misc, valid-type]
    pass


# Resolution only: the events are turned into values by _build, not by PyYAML's composer.
_EventLoader.yaml_implicit_resolvers = _Resolver.yaml_implicit_resolvers


@dataclass
class Document:
    """One data file: its value and where each value stands in it."""

    path: str                      # as shown in messages, e.g. data/providers/x.yaml
    value: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)
    body: str = ""                 # Markdown after the front matter (notices)
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
    try:
        return str(Path(os.path.abspath(path)).relative_to(os.getcwd()))
    except ValueError:
        return str(path)


def _convert(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _EventLoader.resolve(_EventLoader, yaml.ScalarNode, event.value, event.implicit)
    value = event.value
    if tag == "tag:yaml.org,2002:str":
        return value
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
    raise _Bad(_line(event), f"unsupported YAML tag {tag!r}")


def _line(event: yaml.Event) -> int:
    """The 1-based line an event starts on."""
    return event.start_mark.line + 1 if event.start_mark else 0


class _Bad(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


_NODE_STARTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)


class _Builder:
    """Turns parser events into values without recursion, refusing aliases, deep nesting and duplicate keys."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.stack: list[list[Any]] = []   # frames: [container, path, pending_key, key_line]
        self.root: Any = None
        self.nodes = 0
        self.seen_doc = False

    def feed(self, event: yaml.Event) -> None:
        """Take one parser event."""
        line = _line(event)
        if isinstance(event, yaml.DocumentStartEvent):
            if self.seen_doc:
                raise _Bad(line, "only one YAML document per file (remove the second '---')")
            self.seen_doc = True
        elif isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Bad(line, "YAML anchors and aliases (& and *) are not allowed; write the value out")
        elif isinstance(event, _NODE_STARTS):
            self._node(event, line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self.stack.pop()

    def _node(self, event: yaml.NodeEvent, line: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Bad(line, f"too many values (more than {MAX_NODES}) for one record")
        if isinstance(event, yaml.ScalarEvent):
            value: Any = _convert(event)
        elif len(self.stack) >= MAX_DEPTH:
            raise _Bad(line, f"nesting deeper than {MAX_DEPTH} levels")
        else:
            value = {} if isinstance(event, yaml.MappingStartEvent) else []
        path = self._attach(event, value, line)
        if path is None:
            return                       # a mapping key: its value comes next
        if isinstance(event, yaml.ScalarEvent):
            self.doc.raw[path] = event.value
        else:
            self.stack.append([value, path, _NO_KEY, 0])

    def _attach(self, event: yaml.NodeEvent, value: Any, line: int) -> tuple | None:
        """Put a value into its parent; the value's path, or None when it was a mapping key."""
        if not self.stack:
            self.root = value
            self.doc.lines[()] = line
            return ()
        frame = self.stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            child = path + (len(container),)
            container.append(value)
            self.doc.lines[child] = line
            return child
        if frame[2] is _NO_KEY:
            if not isinstance(event, yaml.ScalarEvent):
                raise _Bad(line, "a key must be plain text")
            key = event.value
            if key in container:
                raise _Bad(line, f"duplicate key {key!r} (first at line {self.doc.lines[path + (key,)]})")
            frame[2], frame[3] = key, line
            return None
        child = path + (frame[2],)
        container[frame[2]] = value
        self.doc.lines[child] = frame[3]
        frame[2] = _NO_KEY
        return child


def _build(text: str, doc: Document) -> Any:
    """Turn YAML text into values, with the line of each in doc.lines."""
    builder = _Builder(doc)
    for event in yaml.parse(text, Loader=_EventLoader):
        builder.feed(event)
    return builder.root


_NO_KEY = object()


def _yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else 0
    problem = getattr(exc, "problem", None) or str(exc)
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        return line, "tab character in indentation; indent with spaces"
    return line, f"not valid YAML: {problem}"


def parse_yaml(text: str, shown: str, problems: list[Problem], first_line: int = 1) -> Document | None:
    """Parse YAML text into a Document; problems are appended, not raised."""
    doc = Document(shown, None)
    try:
        doc.value = _build(text, doc)
    except _Bad as bad:
        problems.append(Problem(shown, bad.line + first_line - 1, "", bad.message))
        return None
    except yaml.YAMLError as exc:
        line, message = _yaml_problem(exc, text)
        problems.append(Problem(shown, line + first_line - 1 if line else 0, "", message))
        return None
    except RecursionError:  # pragma: no cover - guarded by MAX_DEPTH
        problems.append(Problem(shown, 0, "", f"nesting deeper than {MAX_DEPTH} levels"))
        return None
    if first_line != 1:
        doc.lines = {k: v + first_line - 1 for k, v in doc.lines.items()}
    return doc
