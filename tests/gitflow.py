"""Shared helpers of the git-flow tests: the fixture tree and GitHub's rendering of an issue form."""

from __future__ import annotations

import shutil
from pathlib import Path

from tsunagu.domain.forms import FORMS, NO_RESPONSE

FIXTURE = Path(__file__).parent / "fixtures" / "gitflow" / "data"


def copy_data(tmp_path: Path) -> Path:
    """A fresh copy of the fixture data folder."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    return data


def render_body(kind: str, values: dict[str, str]) -> str:
    """An issue body as GitHub renders a submitted form: `### Label`, blank line, value."""
    form = FORMS[kind]
    return "\n\n".join(f"### {f.label}\n\n{values.get(f.id) or NO_RESPONSE}" for f in form.fields)
