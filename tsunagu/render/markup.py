"""Markdown fields to safe HTML: rendered with `markdown`, then sanitised with `nh3`."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections import Counter

import markdown as md  # type: ignore[import-untyped,unused-ignore]  # no type information shipped
import nh3
from markupsafe import Markup, escape

from tsunagu.domain.text import FREE_CLOSE, FREE_OPEN

_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "del",
}
_ATTRS = {"a": {"href", "title"}}


@functools.lru_cache(maxsize=1)
def _converter() -> md.Markdown:
    # One converter, reset per use: building it costs more than converting a short note.
    return md.Markdown(extensions=["sane_lists", "nl2br", "tables"], output_format="html")


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _letters(text: str) -> Counter[str]:
    return Counter(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _as_paragraphs(text: str) -> str:
    """The note as escaped text, its line breaks kept: what is shown when Markdown would lose words."""
    paragraphs = [p for p in re.split(r"\n\s*\n", _CONTROL.sub("", text).strip()) if p.strip()]
    return "".join("<p>" + html.escape(p.strip(), quote=False).replace("\n", "<br>\n") + "</p>\n" for p in paragraphs)


# A one-line note with none of the characters Markdown, HTML or the sanitiser would act on (and not
# starting like a list or heading) converts to one paragraph of itself: no converter needed.
_MARKUP = re.compile(r"[\\`*_{}\[\]()<>&#|!~=+\-\"'\x00-\x1f\x7f-\xa0\u2028\u2029]|^\d")


def render_markdown(text: str | None) -> str:
    """Markdown to HTML that carries no script, style, event handler or foreign markup; a note whose
    rendering would drop any of its letters or leave a control character is shown as plain text."""
    if not text:
        return ""
    if text == text.strip() and not _MARKUP.search(text):
        return f"<p>{text}</p>"
    # Raw HTML in the source is escaped first: people write Markdown here, not HTML. Images are not
    # allowed: written as links, so their words stay.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("![", "[")
    converted = _converter().reset().convert(escaped)
    # Same-page links only for relative URLs, and http(s)/mailto/tel for the rest.
    out = nh3.clean(
        converted,
        tags=_TAGS,
        attributes=_ATTRS,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    # Python-Markdown's placeholders (\x02…\x03) can come apart around raw markup and odd links: then
    # words vanish. Every letter of the note must be somewhere in the result (text or link address).
    if _CONTROL.search(out) or _letters(text) - _letters(html.unescape(out)):
        return _as_paragraphs(text)
    return out


# Emphasis a writer may have typed in a plain-text field (受入条件, 連絡時のお願い): kept as its words.
_EMPHASIS = re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|`([^`\n]+)`")


def plain_text(text: str | None) -> str:
    """A plain-text field as its words: Markdown emphasis and code marks dropped, line breaks kept."""
    if not text:
        return ""
    return _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or m.group(4) or "", text.strip())


def free_text(text: str | None) -> Markup:
    """Unreviewed free text, escaped, between the markers that keep it out of compression (seal/free.py)."""
    if not text:
        return Markup("")
    # One Markup made, not three and two escapes of Markup already safe: a card and a record page each.
    return Markup(FREE_OPEN + str(escape(text)) + FREE_CLOSE)
