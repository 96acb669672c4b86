"""The value types of the data contract: vocabularies, text, phone numbers, readings, and how they are tidied."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

Acceptance = Literal["accepting", "conditional", "not_accepting", "unknown"]
Operation = Literal["open", "reduced", "suspended", "closed"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Method = Literal["phone", "fax", "email", "visit", "ict", "letter"]
Via = Literal["form", "pr", "phone", "fax", "link"]  # how an update reached the data (フォーム・PR・電話・FAX・リンク)
# A record's update link carries this number; bumping it revokes every link issued before (docs/relay-protocol.md).
LinkVersion = Annotated[int, Field(ge=1, le=65535)]

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_PHONE_RE = re.compile(r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
URL_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/[^\s<>\"]*)?$")
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*[-〜~]\s*([01]?\d|2[0-4]):([0-5]\d)$")
# A reading after normalize_kana: katakana (with ・ ー), spaces, ASCII letters, digits and a little punctuation.
KATAKANA_RE = re.compile(r"^[\u30A0-\u30FF ()A-Za-z0-9&.,'/+\-]+$")
_WIDTH = re.compile(r"[\uFF01-\uFF5E\uFF61-\uFF9F]+")  # full-width ASCII, half-width kana
_SPACING_MARK = re.compile(r"(\S)\s?([゛゜])")
_BRACKETS = re.compile(r"[「」『』【】〔〕［］〈〉《》〝〟\"“”‘’]")


def normalize_phone(value: Any) -> Any:
    """Full-width digits and dashes to half-width; keeps the hyphens people use to read numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip()
    text = re.sub(r"[‐‑‒–—―−ー－]", "-", text).replace(" ", "")
    if text.startswith("(") or "(" in text:
        text = re.sub(r"\((\d+)\)", r"-\1-", text).strip("-").replace("--", "-")
    if not _PHONE_RE.match(text) or len(re.sub(r"\D", "", text)) not in (10, 11):
        raise ValueError(f"expected a Japanese phone number such as 029-000-1111; got {value!r}")
    return text


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def combine_voiced_marks(text: str) -> str:
    """`ウ゛` (a spacing voiced mark after the kana) is how old systems wrote `ヴ`."""
    return _SPACING_MARK.sub(
        lambda m: unicodedata.normalize("NFC", m[1] + ("\u3099" if m[2] == "゛" else "\u309a")), text
    )


def normalize_kana(value: str) -> str:
    """A reading as people and the open data write it, tidied: widths, voiced marks, hiragana, brackets, spaces."""
    text = combine_voiced_marks(_WIDTH.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value))
    text = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)
    text = _BRACKETS.sub(" ", text)
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def _katakana(value: str) -> str:
    text = normalize_kana(value)
    if not KATAKANA_RE.match(text):
        raise ValueError(f"expected katakana such as デイサービスサクラ; got {value!r}")
    return text


Text = Annotated[str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=5000)]
Phone = Annotated[str, BeforeValidator(normalize_phone)]
Kana = Annotated[Text, AfterValidator(_katakana)]
Login = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")]


def _search_word(value: str) -> str:
    # Search drops spaces and punctuation; a word made only of them could never be typed.
    if not any(c.isalnum() for c in unicodedata.normalize("NFKC", value)):
        raise ValueError(f"expected a word with letters or digits, such as デイ; got {value!r}")
    if len(value) > 50:
        raise ValueError(f"too long ({len(value)} characters; at most 50)")
    return value


def _synonym_targets(value: Any) -> Any:
    if not isinstance(value, list):
        raise ValueError(
            "expected a list of what the word stands for, such as [通所介護], "
            f"or [] to switch off the word shipped with tsunagu; got {value!r}"
        )
    return value


SearchWord = Annotated[str, BeforeValidator(_strip), AfterValidator(_search_word)]
# word -> services or texts it stands for; [] switches off a word of tsunagu's vocabulary.
# An empty `synonyms:` (all entries commented out) is no synonyms, not an error.
Synonyms = Annotated[
    dict[SearchWord, Annotated[list[SearchWord], BeforeValidator(_synonym_targets)]],
    BeforeValidator(lambda value: {} if value is None else value),
]
