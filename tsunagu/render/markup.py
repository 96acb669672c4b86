"""Markdown fields to safe HTML: rendered with `markdown`, then sanitised with `nh3`."""

from __future__ import annotations

import functools
import re

import markdown as md  # type: ignore[import-untyped,unused-ignore]  # no type information shipped
import nh3

_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote",
         "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "del"}
_ATTRS = {"a": {"href", "title"}}


@functools.lru_cache(maxsize=1)
def _converter() -> md.Markdown:
    # One converter, reset per use: building it costs more than converting a short note.
    return md.Markdown(extensions=["sane_lists", "nl2br", "tables"], output_format="html")


def render_markdown(text: str | None) -> str:
    """Markdown to HTML that carries no script, style, event handler or foreign markup."""
    if not text:
        return ""
    # Raw HTML in the source is escaped first: people write Markdown here, not HTML.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = _converter().reset().convert(escaped)
    # Same-page links only for relative URLs, and http(s)/mailto/tel for the rest.
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRS, url_schemes={"http", "https", "mailto", "tel"},
                     link_rel="noopener noreferrer nofollow")


# Emphasis a writer may have typed in a plain-text field (受入条件, 連絡時のお願い): kept as its words.
_EMPHASIS = re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|`([^`\n]+)`")


def plain_text(text: str | None) -> str:
    """A plain-text field as its words: Markdown emphasis and code marks dropped, line breaks kept."""
    if not text:
        return ""
    return _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or m.group(4) or "", text.strip())
