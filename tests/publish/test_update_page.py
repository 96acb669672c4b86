"""The public update page: questions and labels only — no directory data, no secret, its own strict policy."""

from __future__ import annotations

import re

from conftest import DEMO_DATA, TODAY
from relay_support import LINK_KEY, SEAL_PRIVATE, SEAL_PUBLIC

from tsunagu.contribute.links import mac_key, relay_key
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.config import Config
from tsunagu.domain.kinds import KINDS
from tsunagu.publish.shell import update_page
from tsunagu.web import template_dirs


def _page(**config) -> str:
    import jinja2

    directory = validate_tree(load_tree(DEMO_DATA), TODAY)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dirs(None)), autoescape=True)
    return update_page(env, directory.site, Config(data_dir=DEMO_DATA, **config)).decode(), directory


def test_update_page_holds_no_secret_and_no_directory_data():
    html, directory = _page(seal_key=SEAL_PUBLIC)
    assert f'<meta name="tsunagu-seal-key" content="{SEAL_PUBLIC}">' in html
    for secret in (SEAL_PRIVATE, LINK_KEY.hex(), mac_key(LINK_KEY).hex(), relay_key(LINK_KEY).hex()):
        assert secret not in html
    for kind in KINDS:
        for record in directory.records(kind):
            for value in (record.id, record.name, record.phone, record.address):
                assert value not in html, value
    assert '<meta name="referrer" content="no-referrer">' in html
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', html)[1]
    assert "script-src 'self';" in csp and "connect-src 'self';" in csp and "form-action 'none'" in csp


def test_update_page_controls_carry_the_words_of_the_questionnaire():
    html, _ = _page(seal_key=SEAL_PUBLIC)
    for legend in ("新規受入", "代替支援", "感染後受入", "営業状況", "面談の予約", "連絡方法"):
        assert f">{legend}</legend>" in html
    for choice in ("受入可", "条件付きで可", "受入不可", "未定"):
        assert f"> {choice}</label>" in html
    assert ">変更なし（確認のみ）</button>" in html and ">送信</button>" in html
