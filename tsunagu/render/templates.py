"""The Jinja environment of the site's templates: filters, globals, and every template compiled once a build."""

from __future__ import annotations

import functools
import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import jinja2.meta
from markupsafe import Markup

from tsunagu.domain.config import Config
from tsunagu.domain.kinds import WEEKDAYS
from tsunagu.domain.labels import ACCEPTANCE_JA, METHOD_JA, OPERATION_JA, STATUS_FIELDS_JA, WEEKDAY_JA
from tsunagu.render.markup import free_text, plain_text, render_markdown
from tsunagu.render.sheet import ACCEPTANCE_KEYS
from tsunagu.render.timedata import windows_attr
from tsunagu.seal import wire
from tsunagu.web import ASSETS, template_dirs


class _Environment(jinja2.Environment):
    """Jinja with each template's globals one plain dict (the environment's, set before any template loads)."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # Jinja's ChainMap is read key by key in Python at every render, include and import: most of a
        # record page's fixed cost. Nothing changes the globals once the templates load.
        return {**self.globals, **(d or {})}


def environment(config: Config) -> jinja2.Environment:
    """The environment for config's templates: one per build (the dictionary's sample pages, then the site)."""
    dirs = tuple(template_dirs(config.templates_dir))
    # Keyed by the templates' files and times too, so a changed template is never served from an older build.
    stamp = tuple((str(p), p.stat().st_mtime_ns) for d in dirs for p in sorted(Path(d).rglob("*.html")))
    return _environment(dirs, stamp)


@functools.lru_cache(maxsize=2)
def _environment(dirs: tuple[str, ...], stamp: tuple[tuple[str, int], ...]) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(dirs),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        # Every template stays compiled in a plain dict: the default LRU cache's bookkeeping (a lock and a
        # scan of its queue at each lookup) cost more than a page's include and import of a template.
        cache_size=-1,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = lambda text: Markup(render_markdown(text))
    env.filters["plain"] = plain_text
    env.filters["free"] = free_text
    env.filters["jdate"] = lambda d: f"{d.year}年{d.month}月{d.day}日" if d else ""
    env.filters["tel"] = lambda p: "tel:" + p.replace("-", "")
    env.filters["windows"] = windows_attr
    # `tojson` with one encoder made once: json.dumps makes a new one at each call when given options.
    env.policies["json.dumps_function"] = json.JSONEncoder(sort_keys=True).encode
    env.policies["json.dumps_kwargs"] = {}
    env.globals.update(
        ACCEPTANCE_JA=ACCEPTANCE_JA,
        OPERATION_JA=OPERATION_JA,
        METHOD_JA=METHOD_JA,
        WEEKDAY_JA=WEEKDAY_JA,
        WEEKDAYS=WEEKDAYS,
        STATUS_FIELDS_JA=STATUS_FIELDS_JA,
        ACCEPTANCE_KEYS=ACCEPTANCE_KEYS,
        urlencode=urlencode,
        # One filter choice for both answers a care manager can work with (search.js expands it).
        ACCEPTING_OR_CONDITIONAL=wire.ACCEPTING_OR_CONDITIONAL,
        ASSETS=ASSETS,
        WIRE=wire,
    )
    # A badge is one of four: the macro renders each once, and `answer | badge` looks it up (three a provider
    # on each of its page, its card and its row of the status sheet).
    badges: dict[str, Markup] = {}
    env.filters["badge"] = badges.__getitem__
    macros = env.get_template("_macros.html").module
    badges.update({answer: macros.badge(answer) for answer in ACCEPTANCE_JA})  # type: ignore[attr-defined]
    return env


def compile_templates(names: set[str], env: jinja2.Environment) -> None:
    """The templates, the ones they name (extends, include, import) and the chrome's, compiled into env's cache."""
    todo, done = sorted(names | {"_header.html", "_footer.html"}), set()
    while todo:
        name = todo.pop()
        if name in done:
            continue
        done.add(name)
        source = env.loader.get_source(env, name)[0] if env.loader else ""
        env.get_template(name)
        todo += [n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n and n not in done]
