"""The one configuration object every stage reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

JST = dt.timezone(dt.timedelta(hours=9), "JST")

DEMO_PASSWORD = "tsunagu-demo"
DEMO_LABEL = "demo"


def today_jst() -> dt.date:
    """Today's date in Japan, where every region using this lives."""
    return dt.datetime.now(JST).date()


@dataclass
class Config:
    """Where to read, where to write, and how to protect the output."""

    data_dir: Path = Path("data")
    out_dir: Path = Path("site")
    # A region's own templates, searched before tsunagu's (like mkdocs' custom_dir); None: tsunagu's only.
    templates_dir: Path | None = None
    # The public scripts and styles; None: tsunagu's own (tsunagu/web/static).
    static_dir: Path | None = None
    # label -> password; empty means a demo build with DEMO_PASSWORD.
    passwords: dict[str, str] = field(default_factory=dict)
    require_passwords: bool = False
    # Secret that makes page paths unguessable; None falls back to the site id.
    path_key: str | None = None
    iterations: int = 600_000
    today: dt.date = field(default_factory=today_jst)
    # The build's own date is its epoch's date in Japan (same commit, same bytes on any day); False: `today` above.
    today_from_epoch: bool = False
    # The build's epoch (seconds); None: SOURCE_DATE_EPOCH, the data's last commit, or now for a demo build.
    epoch: int | None = None
    search: bool = True
    # Processes for rendering record pages at prefecture scale (1 = in this process).
    workers: int = 0  # 0: as many as the machine has cores (at most 4)
    quiet: bool = False
    # The update page's sealing key when site.yaml has none (serve --relay makes one for the local run).
    seal_key: str | None = None
    # (kind, id, link_version) -> a note-only link token for 「情報が違う」 (the CLI sets it where the link key is).
    note_token: Callable[[str, str, int], str] | None = None

    @property
    def demo(self) -> bool:
        """A demo build: no real passwords given."""
        return not self.passwords

    def effective_passwords(self) -> dict[str, str]:
        """The passwords the build encrypts for."""
        return dict(self.passwords) if self.passwords else {DEMO_LABEL: DEMO_PASSWORD}
