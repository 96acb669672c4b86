"""The browser side: static scripts and styles, and the Jinja2 templates, as package data."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The browser's ES modules (pages and service worker), and the service worker's entry module.
SCRIPTS = tuple(sorted(p.name for p in STATIC_DIR.glob("*.js")))
SW_ENTRY = "sw-main.js"
# The public scripts, styles and icons, published under assets/ (and saved with 「この端末に保存」).
ASSETS = ("style.css", *SCRIPTS, "manifest.webmanifest", "icon-192.png", "icon-512.png", "favicon.ico")
_PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
_CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def templates_dir() -> Path:
    """tsunagu's templates: the top-level templates/ of a source checkout, or the copy inside the wheel."""
    # The wheel build copies templates/ into the package (setup.py); a checkout reads them in place.
    return _CHECKOUT_TEMPLATES if _CHECKOUT_TEMPLATES.is_dir() else _PACKAGED_TEMPLATES


def template_dirs(custom: Path | None) -> list[str]:
    """Where Jinja2 looks for a template: a region's own folder first, then tsunagu's."""
    return [str(d) for d in (custom, templates_dir()) if d is not None]
