"""Markdown fields to safe HTML: nothing that runs, styles or frames reaches a page."""

from __future__ import annotations

import pytest
from conftest import active_content, elements

from tsunagu.render.markup import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[クリック](javascript:alert(1))",
    "[クリック](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<svg onload=alert(1)>",
    "![x](javascript:alert(1))",
    '<object data="x.swf"></object>',
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markup_is_neutralised(text):
    html = render_markdown(text)
    assert active_content(html) == [], html
    allowed = {"p", "a", "br", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote"}
    assert {tag for tag, _ in elements(html)} <= allowed, html
    assert all(set(attrs) <= {"href", "title", "rel"} for _, attrs in elements(html)), html


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>太字</b>") == "<p>&lt;b&gt;太字&lt;/b&gt;</p>"


def test_markdown_still_works():
    html = render_markdown("**重要**\n\n- 一\n- 二\n\n[案内](https://example.jp/a)\n改行\nあり")
    assert "<strong>重要</strong>" in html
    assert "<ul>\n<li>一</li>\n<li>二</li>\n</ul>" in html
    assert '<a href="https://example.jp/a" rel="noopener noreferrer nofollow">案内</a>' in html
    assert "改行<br>\nあり" in html


def test_empty():
    assert render_markdown(None) == "" and render_markdown("") == ""


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (
            "感染後の入所は **PCR 陰性確認後** または発症から 14 日経過後。",
            "感染後の入所は PCR 陰性確認後 または発症から 14 日経過後。",
        ),
        (
            "**休止中**（職員の集団感染のため）\n- 代替支援は調整中",
            "休止中（職員の集団感染のため）\n- 代替支援は調整中",
        ),
        ("__至急__ は *電話* で、`FAX` も ~~不可~~", "至急 は 電話 で、FAX も 不可"),
        ("2*3*4 と ** だけ", "2*3*4 と ** だけ"),  # not emphasis: left as written
        ("  前後の空白  \n", "前後の空白"),
    ],
)
def test_plain_text_shows_emphasis_as_its_words_and_keeps_line_breaks(written, shown):
    from tsunagu.render.markup import plain_text

    assert plain_text(written) == shown
