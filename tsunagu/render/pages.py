"""Render stage: the validated directory to plaintext HTML pages and data files (nothing written)."""

from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any

import jinja2
from markupsafe import Markup

from tsunagu.data.history import History
from tsunagu.domain.config import Config
from tsunagu.domain.directory import Directory
from tsunagu.domain.models import Physician, Provider, Record
from tsunagu.domain.paths import DATA_DIR, NOT_FOUND, root_of
from tsunagu.render.changes import days_view
from tsunagu.render.entries import Entry, make_entries
from tsunagu.render.sheet import glance, providers_csv, records_json, sheet_groups
from tsunagu.render.templates import compile_templates, environment
from tsunagu.render.timedata import holidays_json
from tsunagu.search.searchdoc import search_blocks, search_context

NEWEST_ON_HOME = 5  # recently confirmed cards on the home page: a phone scrolls past more (the link lists all)


def _page(env: jinja2.Environment, template: str, path: str, common: dict[str, Any], **context: Any) -> bytes:
    """One page; links are relative to its folder, so the site works under any base path."""
    html = env.get_template(template).render(root=root_of(path), page_path=path, **common, **context)
    return html.encode()


def _chrome(
    env: jinja2.Environment, path: str, common: dict[str, Any], cache: dict[tuple[str, str], dict[str, Markup]]
) -> dict[str, Markup]:
    """The head's tags, the header and the footer of a page, rendered once for every page of its folder: they
    depend on the page only through its root and its first path segment (the menu marks the current section)."""
    key = (root_of(path), path.split("/", 1)[0])
    if key not in cache:
        context = {"root": key[0], "page_path": path, **common}
        parts = ("head", "header", "footer")
        cache[key] = {part: Markup(env.get_template(f"_{part}.html").render(context)) for part in parts}
    return cache[key]


def _render_records(
    entries: Sequence[Entry[Record]],
    env: jinja2.Environment,
    common: dict[str, Any],
    hook: Callable[[str, bytes], Any] | None = None,
) -> list[tuple[str, Any]]:
    """One page per record (a list, so it crosses a process boundary cheaply), through hook if given."""
    out = []
    chromes: dict[tuple[str, str], dict[str, Markup]] = {}
    for e in entries:
        page = _page(
            env,
            e.kind.template,
            e.path,
            common,
            chrome=_chrome(env, e.path, common, chromes),
            e=e,
            r=e.record,
            weekly=e.kind.weekly(e.record),
            tokens=search_blocks(e.record, common["search"]),
        )
        out.append((e.path, hook(e.path, page) if hook else page))
    return out


SLICE = 1_000  # records per forked render task at most
_FORKED: tuple[Any, ...] = ()  # what forked workers inherit: (entries, env, common, hook, beside)


def _render_task(bounds: tuple[int, int] | None) -> list[tuple[str, Any]]:
    """One slice of the record pages, or (None) the files rendered beside them."""
    entries, env, common, hook, beside = _FORKED
    if bounds is None:
        return list(beside().items())
    return _render_records(entries[bounds[0] : bounds[1]], env, common, hook)


def _record_pages(
    entries: Sequence[Entry[Record]],
    env: jinja2.Environment,
    common: dict[str, Any],
    workers: int,
    hook: Callable[[str, bytes], Any] | None = None,
    beside: Callable[[], dict[str, Any]] = dict,
) -> dict[str, Any]:
    """Record pages and the files of `beside`, rendered by forked processes when there are many
    (templates are CPU-bound).

    A hook (the build's: index record and sealed entries) runs in the worker, so plaintext pages
    never cross back to the parent and their compression and encryption use every core too. The
    shared pages and data files (`beside`, one task) are rendered by a worker too, while the others
    render records: in the parent they kept one core idle.
    """
    global _FORKED
    if workers <= 1 or len(entries) < 2000 or "fork" not in multiprocessing.get_all_start_methods():
        return {**beside(), **dict(_render_records(entries, env, common, hook))}
    _FORKED = (entries, env, common, hook, beside)
    # Compiled once here, the record pages' templates are inherited by every worker: each worker (one per
    # slice) compiled them anew, about 0.3 s of CPU each.
    compile_templates(
        {name for kind in {e.kind for e in entries} for name in (kind.template, kind.search_template)}, env
    )
    # Forked workers share the parent's memory until they write to it; the collector would touch
    # every object (copying it) in each worker, so the objects alive now are kept out of its way.
    gc.freeze()
    try:
        # Slices of at most SLICE records: a worker's copies and results grow with its slice (at 23,000 records,
        # slices of 2,900 took two workers to 1,057 MB with the build).
        step = min(SLICE, -(-len(entries) // (workers * 4)))
        slices: list[tuple[int, int] | None] = [None]
        slices += [(i, min(i + step, len(entries))) for i in range(0, len(entries), step)]
        # One slice per worker process: a worker's copies of the pages it touched go with it (at 23,000
        # records two long-lived workers had copied most of the records, 400 MB, by the end of the render).
        with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:
            return dict(item for part in pool.map(_render_task, slices, chunksize=1) for item in part)
    finally:
        _FORKED = ()
        gc.unfreeze()


def _updates_by_date(entries: Sequence[Entry[Record]]) -> str:
    """How many entries were confirmed on each date: enough for the browser to count stale and new ones."""
    counts: dict[str, int] = {}
    for e in entries:
        if e.updated:
            counts[e.updated.isoformat()] = counts.get(e.updated.isoformat(), 0) + 1
    return json.dumps(dict(sorted(counts.items())), separators=(",", ":"))


def render_site(
    directory: Directory,
    config: Config,
    history: History | None = None,
    record_hook: Callable[[str, bytes], Any] | None = None,
    shared_hook: Callable[[dict[str, bytes]], dict[str, Any]] | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Every protected file of the site, as output path -> bytes (record pages through record_hook, and the other
    files all together through shared_hook where they were rendered, if given), in `workers` processes."""
    env = environment(config)
    providers, physicians = make_entries(directory, config)
    site = directory.site
    holidays = holidays_json(config.today)
    relay = site.relay_url or "api/"
    # A relay on an origin of its own (a Worker beside GitHub Pages): the pages may post 「情報が違う」 to it.
    relay_origin = "/".join(relay.split("/")[:3]) if relay.startswith("https://") else ""
    common = {
        "site": site,
        "demo": config.demo,
        "today": config.today,
        "built": config.today,
        "records_total": len(providers) + len(physicians),  # the footer's 「保存済み …（全 N 件）」
        # 「情報が違う」: a note-only link per record, sealed like the update page (none without the link key).
        "note_token": config.note_token if (config.seal_key or site.seal_key) else None,
        "seal_key": config.seal_key or site.seal_key,
        "relay_url": relay,
        "relay_origin": relay_origin,
        "imported": any(p.source for p in directory.providers),
        "holidays": holidays,
        "sources": sorted({f for p in directory.providers if p.source for f in p.source.files}),
        "search": search_context(site, [*directory.providers, *directory.physicians]),
    }
    everyone = providers + physicians

    def shared() -> dict[str, Any]:
        """Every file but the record pages: the shared pages and the data files."""
        out: dict[str, bytes] = {}

        def page(path: str, template: str, **context) -> None:
            out[path] = _page(env, template, path, common, **context)

        _shared_pages(page, directory, config, history, providers, physicians)
        out[f"{DATA_DIR}records.json"] = records_json(directory, providers, physicians)
        out[f"{DATA_DIR}holidays.json"] = holidays.encode()
        out[f"{DATA_DIR}status.csv"] = providers_csv(providers)
        return shared_hook(out) if shared_hook else out

    return _record_pages(everyone, env, common, workers, record_hook, shared)


def _shared_pages(
    page: Callable[..., None],
    directory: Directory,
    config: Config,
    history: History | None,
    providers: list[Entry[Provider]],
    physicians: list[Entry[Physician]],
) -> None:
    """The home page, the lists, the status sheet, recent changes and the other shared pages."""
    site = directory.site
    everyone = [*providers, *physicians]
    newest = sorted((e for e in everyone if e.updated), key=lambda e: e.updated or dt.date.min, reverse=True)
    notices = sorted(directory.notices, key=lambda n: (n.meta.pinned, n.meta.date), reverse=True)
    history = history or History(False, config.today)
    days = days_view(history, {e.record.id: e for e in everyone})
    # The home page shows the last 24 hours' changes in full: the newest two days; the browser hides older ones.
    page(
        "index.html",
        "home.html",
        recent=days[:2],
        yesterday=config.today - dt.timedelta(days=1),
        glance=glance(site, providers, config.today),
        newest=newest[:NEWEST_ON_HOME],
        notices=notices[:3],
        stale_count=sum(e.stale for e in everyone),
        by_date=_updates_by_date(everyone),
        unconfirmed=sum(not e.confirmed for e in everyone),
        providers=providers,
        physicians=physicians,
    )
    areas = [(i + 1, a, [e for e in providers if e.record.area == a]) for i, a in enumerate(site.areas)]
    page("providers/index.html", "providers.html", areas=areas)
    for number, area, group in areas:
        page(f"providers/{number}/index.html", "provider_list.html", area=area, entries=group)
    page(
        "physicians/index.html",
        "physicians.html",
        areas=[(a, [e for e in physicians if e.record.area == a]) for a in site.areas],
    )
    page("status/index.html", "status.html", groups=sheet_groups(site, providers))
    page("changes/index.html", "changes.html", history=history, days=days)
    page("notices/index.html", "notices.html", notices=notices)
    page("desks/index.html", "desks.html")
    page("search/index.html", "search.html")
    page(NOT_FOUND, "not_found.html")
