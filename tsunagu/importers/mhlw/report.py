"""What an import did (or would do), in words for the admin who ran it."""

from __future__ import annotations

from typing import Any

from tsunagu.importers.mhlw.cells import city_key
from tsunagu.importers.mhlw.clean import Office
from tsunagu.importers.mhlw.plan import UNPLACED_HINT, Plan
from tsunagu.importers.mhlw.records import Options


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "(none)" if value is None else str(value)


def summary(plan: Plan, options: Options, site_shown: str, dry_run: bool) -> str:
    """What the import did (or would do), for people: counts first, then what needs a look."""
    cities: dict[str, list[Office]] = {}
    for office in plan.offices:
        cities.setdefault(office.city, []).append(office)
    lines = [
        f"Read {len(plan.rows) + plan.other_rows} rows from {len(plan.files)} files: "
        f"{len(plan.rows)} of the cities asked for, {plan.other_rows} of other municipalities left out."
    ]
    per_city = ", ".join(f"{c} {o[0].city_name}: {len(o)}" for c, o in sorted(cities.items()))
    lines.append(f"Offices: {len(plan.offices)}" + (f" ({per_city})" if per_city else ""))
    missing = [c for c in options.cities if not any(city_key(c) == city_key(k) for k in cities)]
    if missing:
        lines.append(f"No rows for --city {', '.join(missing)}.")
    if plan.new_services:
        added = ", ".join(f"{n} ({c})" for n, c in plan.new_services.items())
        lines.append(f"Services added to {site_shown}: {added}")
    lines += _needs_a_look(plan)
    if dry_run:
        lines.append("Dry run: nothing written. Would change:")
        for change in plan.changes:
            if change.kind == "added":
                lines.append(f"  + {change.path}: {change.name}")
            elif change.kind == "updated":
                lines.append(f"  ~ {change.path}: {change.name}")
                lines += [f"      {k}: {_shown(a)} → {_shown(b)}" for k, a, b in change.diffs if k != "source.original"]
    not_written = sum(1 for _, what in plan.unplaced if what == "not written")
    unplaced = f"unplaced {len(plan.unplaced)}" + (f" ({not_written} not written)" if not_written else "")
    lines.append(
        f"added {plan.count('added')}, updated {plan.count('updated')}, unchanged {plan.count('unchanged')}, "
        f"vanished {len(plan.vanished)}, {unplaced}, skipped {len(plan.skipped)}"
    )
    return "\n".join(lines)


def _needs_a_look(plan: Plan) -> list[str]:
    """The parts of the summary an admin should read: problems, unplaced, skipped, kept edits, vanished."""
    lines: list[str] = []
    if plan.problems:
        lines.append(f"Values left out or rows not imported ({len(plan.problems)}):")
        lines += [f"  {p}" for p in sorted(plan.problems)]
    if plan.unplaced:
        lines.append(f"Unplaced: no area_map key in the address ({UNPLACED_HINT}):")
        lines += [
            f"  {o.number} {o.values['name']}: {o.values['address']} ({o.rows[0][0]}:{o.rows[0][1]}); {what}"
            for o, what in plan.unplaced
        ]
    if plan.skipped:
        lines.append("Skipped:")
        lines += [f"  {o.number} {o.values['name']}: {why}" for o, why in plan.skipped]
    if plan.kept:
        lines.append("Kept edits made by hand (the open data says otherwise):")
        lines += [f"  {p}: {k}: {_shown(now)} (open data: {_shown(new)})" for p, k, now, new in plan.kept]
    if plan.vanished:
        lines.append("Vanished from the open data (marked source.vanished; an admin decides):")
        lines += [f"  {p}: {n}" + ("" if newly else " (already marked)") for p, n, newly in plan.vanished]
    return lines
