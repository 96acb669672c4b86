"""No rendered output holds a control character, and Markdown never drops the words of a note."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
import unicodedata
from collections import Counter

import pytest
from conftest import fast_config, load_directory, make_tree
from tools import ROOT

from tsunagu.render.markup import render_markdown
from tsunagu.render.pages import render_site

HOSTILE = ROOT / "tests" / "hostile"
# Raw markup mixed with an image or link whose address holds a quote: Python-Markdown's placeholders
# came apart, the rest of the note vanished and \x03 reached the page.
MIXED_NOTES = [
    '<a href="https://x.example/">c</a> ![i](x" onerror="a") 後ろの文が消えない',
    '![i](x" >![i](x" *[*[![i](x" <a href="http://x">[l](http://y) 最後の言葉',
    '<<))[![i](x" </a>![i](x" 後ろ[l](http://y) 続き',
    '後ろ)]`![i](x" [l](http://y)![i](x)</a>[l](http://y) 末尾',
    '![i](x" ]<a href="http://x">![i](x)\n(("</a>[l](http://y) 二行目',
    'メモ <a href="http://x"><a href="http://x">![i](x" `![i](x" [l](http://y)',
    '前 ![i](x" ![i](x)onerror="a">`c][l](http://y)',
]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _words(text: str) -> Counter:
    """Letters and digits of a text, as a reader would look for them."""
    return Counter(ch for ch in text if unicodedata.category(ch)[0] in "LN")


@pytest.mark.parametrize("note", MIXED_NOTES)
def test_markdown_never_drops_the_words_of_a_note(note):
    html = render_markdown(note)
    assert not CONTROL.search(html), repr(html)
    shown = re.sub(r"<[^>]*>", " ", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    # Every letter of the note is on the page (addresses of links may sit in href only).
    missing = _words(re.sub(r"\]\([^)]*\)?", "]", note)) - _words(shown)
    assert not missing, (html, missing)


def test_no_page_of_the_hostile_corpus_holds_a_control_character(tmp_path):
    data = make_tree(tmp_path)
    accepted = [name for name, errors in json.loads((HOSTILE / "expected.json").read_text()).items() if errors == []]
    assert accepted
    for name in accepted:
        shutil.copy(HOSTILE / name, data / "providers" / name)
    lines = [line for note in MIXED_NOTES for line in note.splitlines()]
    (data / "providers" / "mixed-notes.yaml").write_text(
        textwrap.dedent("""\
        name: デイサービスまぜこぜ
        services: [通所介護]
        area: 中部
        address: 茨城県テスト市中央1-1-1
        phone: 029-000-1041
        status:
          updated: 2026-11-20
          new_clients: accepting
          conditions: |
        """)
        + "".join(f"    {line}\n" for line in lines)
        + "notes: |\n"
        + "".join(f"  {line}\n" for line in lines),
        encoding="utf-8",
    )
    rendered = render_site(load_directory(data), fast_config(data, tmp_path / "site"))
    # CSV rows end with CR LF (RFC 4180, as spreadsheets expect); no other control anywhere.
    found = {
        path: repr(m.group())
        for path, body in rendered.items()
        if (m := CONTROL.search(body.decode("utf-8-sig").replace("\r\n", "\n")))
    }
    assert len(rendered) > 10 and found == {}
