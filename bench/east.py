"""The eastern half of the national open data (../shared/samples/mhlw-east) as one region, for scale work.

    python bench/east.py SOURCE DATA [--build OUT]

SOURCE is the folder of the 27 published CSV files (or the .tar.xz); DATA receives site.yaml and providers/,
written by the project's importer (plan_import + write_plan), one run per prefecture: the areas are the
prefectures (each run places its offices in its prefecture with --default-area's rule, as a municipality name
can repeat across prefectures, e.g. 伊達市). With --build, the build runs as the benchmark measures it
(bench/measure.py: process tree PSS, Pagefind included) and the figures are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tarfile
import time
from collections import defaultdict
from pathlib import Path

TODAY = dt.date(2026, 11, 22)
PUBLISHED = dt.date(2026, 11, 1)
SALT = "5f0c6a1e9b3d4c2a8e7f6b5a4c3d2e1f"  # fixed: the same data gives the same site
SITE = (
    'title: "つなぐ 東日本"\nregion: "東日本"\nstale_after_days: 14\nareas: [{areas}]\nservices: {{}}\nsalt: "{salt}"\n'
)


def sources(source: Path, work: Path) -> Path:
    """The folder of CSV files: SOURCE itself, or the archive extracted under WORK."""
    if source.is_dir():
        return source
    target = work / "mhlw-east-csv"
    if not target.is_dir():
        with tarfile.open(source) as tar:
            tar.extractall(target, filter="data")
    return target


def import_east(source: Path, data: Path) -> dict:
    """Import every row into DATA (which must not hold providers yet); returns counts."""
    from tsunagu.importers.mhlw.plan import plan_import
    from tsunagu.importers.mhlw.read import C_CITY, C_PREF, csv_files, read_csv
    from tsunagu.importers.mhlw.records import Options
    from tsunagu.importers.mhlw.write import write_plan

    started = time.perf_counter()
    paths = csv_files([source])
    rows = [r for p in paths for r in read_csv(p)]
    cities: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        cities[row.cells[C_PREF]].add(row.cells[C_CITY])
    prefectures = sorted(cities, key=lambda p: min(cities[p]))  # in prefecture code order
    data.mkdir(parents=True, exist_ok=True)
    site = SITE.format(areas=", ".join(f'"{p}"' for p in prefectures), salt=SALT)
    (data / "site.yaml").write_text(site, encoding="utf-8")
    (data / "physicians").mkdir(exist_ok=True)
    added = problems = 0
    names = [p.name for p in paths]
    for prefecture in prefectures:
        mine = [r for r in rows if r.cells[C_PREF] == prefecture]
        plan = plan_import(names, mine, site, {}, Options(sorted(cities[prefecture]), TODAY, PUBLISHED, prefecture))
        write_plan(plan, data)
        site = plan.site_text or site
        added += plan.count("added")
        problems += len(plan.problems)
    return {"rows": len(rows), "providers": added, "problems": problems, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--build", type=Path, metavar="OUT")
    opts = parser.parse_args()
    if not (opts.data / "providers").is_dir():
        print(import_east(sources(opts.source, opts.data.parent), opts.data), flush=True)
    if opts.build:
        from measure import peak_stage, python_step

        measured = python_step(["build", str(opts.data), str(opts.build)])
        stages = ", ".join(f"{k} {v:.1f}" for k, v in measured.result["stages"].items())
        print(
            f"build {measured.seconds:.1f} s ({stages}); peak {measured.peak_tree_mb:.0f} MB (process tree PSS) "
            f"during {peak_stage(measured)}, largest process {measured.maxrss_mb:.0f} MB; "
            f"{measured.result['files']} files, {measured.result['bytes'] / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
    main()
