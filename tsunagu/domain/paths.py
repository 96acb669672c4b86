"""Where things sit in the site: the path rules the stages (and the browser) share, named once."""

from __future__ import annotations

RECORD_DIR = "r/"  # record pages, one file each and no folder: r/<token>.html (mirrored in the browser)
DATA_DIR = "data/"  # data files with free text: records.json, status.csv, holidays.json
INDEX_DIR = "pagefind/"  # the search index
NOT_FOUND = "404.html"


def record_path(token: str) -> str:
    """The output path of a record page, from its opaque token."""
    return f"{RECORD_DIR}{token}.html"


def is_record(path: str) -> bool:
    """Whether a path is a record page (r/…)."""
    return path.startswith(RECORD_DIR)


def is_record_page(path: str) -> bool:
    """A record page proper (r/<token>.html), as the search indexes it."""
    return is_record(path) and path.endswith(".html")


def root_of(path: str) -> str:
    """The relative way from a page back to the site's root, so the site works under any base path."""
    return "../" * path.count("/")
