"""Search text: one normalisation for index and query (mirrored in static/search.js), and n-gram tokens.

Pagefind segments Japanese with Lindera at index time and Intl.Segmenter at query time; they
disagree on compounds and place names. Indexing character n-grams as plain ASCII tokens, and
turning the query into the same tokens, makes partial words and compounds match either way.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Everything that is not a letter or digit is dropped, so 029-000-1111 and 0290001111 agree.
_DROP = re.compile(r"[\s\u3000!-/:-@\[-`{-~、。・「」『』（）()【】［］〔〕〈〉《》”“’‘・:;,.\-‐‑‒–—―−－〜~ー]+")


_PREFECTURE = re.compile(r"^\s*(北海道|東京都|京都府|大阪府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄)県)(?=\S)")


def strip_prefecture(text: str) -> str:
    """An address or query without its leading prefecture, which nearly every record shares."""
    return _PREFECTURE.sub("", text)


def normalize(text: str) -> str:
    """NFKC (width), lower case, katakana folded to hiragana, separators dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)
    return _DROP.sub("", text)


@functools.lru_cache(maxsize=65536)
def _hex(char: str) -> str:
    return f"{ord(char):05x}"


def token(gram: str) -> str:
    """An n-gram as one ASCII word that no segmenter splits: 'k' + 5 hex digits per character."""
    return "k" + "".join(_hex(c) for c in gram)


def query_tokens(text: str) -> list[str]:
    """Tokens a query must all match: bigrams of each normalised word (a unigram for one character)."""
    out: list[str] = []
    for word in text.split():
        norm = normalize(strip_prefecture(word))
        grams = [norm] if len(norm) == 1 else [norm[i:i + 2] for i in range(len(norm) - 1)]
        out.extend(token(g) for g in grams if g)
    return list(dict.fromkeys(out))


def index_tokens(texts: list[str]) -> str:
    """Space-separated unigram and bigram tokens of the given texts, each once."""
    seen: dict[str, None] = {}
    for text in texts:
        # The whole field at once, so "山田 太郎" also matches a query typed as "山田太郎".
        hexes = [_hex(c) for c in normalize(text)]
        for i, h in enumerate(hexes):
            seen["k" + h] = None
            if i + 1 < len(hexes):
                seen["k" + h + hexes[i + 1]] = None
    return " ".join(seen)
