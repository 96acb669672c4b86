"""Real open data, real pages: no Python value (None, True, False) reaches any page, demo or imported."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEMO_DATA, FAST, TODAY, load_directory

from tsunagu.cli import cli
from tsunagu.domain.config import Config
from tsunagu.render.pages import render_site

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "mhlw" / "samples"
# A Python value as text: in an element's text, an attribute value or a data block.
PYTHON_VALUE = re.compile(r"(?<![\w-])(None|True|False)(?![\w-])")


def imported(tmp_path: Path) -> Path:
    """A region made by `init` from the real rows of 水戸市 and 土浦市: no record has ever been answered."""
    wheel = tmp_path / "tsunagu-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"only its hash is pinned here")
    result = CliRunner().invoke(
        cli,
        [
            "init",
            str(tmp_path / "region"),
            "--city",
            "082015",
            "--city",
            "082031",
            "--mhlw",
            str(SAMPLES),
            "--title",
            "つなぐ 水戸・土浦",
            "--admin",
            "mito",
            "--tsunagu-wheel",
            str(wheel),
            "--site-url",
            "https://care.example.jp/",
            "--today",
            "2026-01-10",
            "--non-interactive",
        ],
    )
    assert result.exit_code == 0, result.output
    return tmp_path / "region" / "data"


@pytest.mark.parametrize("which", ["demo", "imported"])
def test_no_python_value_reaches_any_page(tmp_path: Path, which: str):
    data = DEMO_DATA if which == "demo" else imported(tmp_path)
    today = TODAY if which == "demo" else dt.date(2026, 1, 10)
    directory = load_directory(data, today)
    pages = render_site(
        directory, Config(data_dir=data, out_dir=tmp_path / "site", today=today, iterations=FAST, workers=1)
    )
    found = {
        path: sorted(set(PYTHON_VALUE.findall(body.decode())))
        for path, body in pages.items()
        if path.endswith(".html") and PYTHON_VALUE.search(body.decode())
    }
    assert found == {}
    records = len(directory.providers) + len(directory.physicians)
    assert len([p for p in pages if p.startswith("r/")]) == records == (66 if which == "demo" else 121)
