"""One cell of the MHLW open data, cleaned: local government codes, phone numbers, addresses, readings, hours."""

from __future__ import annotations

import re
import unicodedata

from tsunagu.domain.fields import EMAIL_RE, KATAKANA_RE, URL_RE, combine_voiced_marks, normalize_kana, normalize_phone

_WIDE = re.compile(r"[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF61-\uFF9F]+")
_DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s*[‐‑‒–—―−ー－-]\s*(?=\d)")
_NEWLINE_MARK = re.compile(r"[（(]改行[）)]")
_TLDS = ("jp", "com", "net", "org", "info", "biz")


def check_city(code: str) -> str | None:
    """The problem with a --city code, or None: 6 digits with a valid check digit, or 5 digits."""
    if not re.fullmatch(r"\d{5}|\d{6}", code):
        return f"expected a local government code such as 082015 (or its 5 digits 08201); got {code!r}"
    if len(code) == 6:
        digit = city_check_digit(code[:5])
        if int(code[5]) != digit:
            return f"check digit of {code} should be {digit} ({code[:5]}{digit})"
    return None


def city_check_digit(five: str) -> int:
    """The check digit of a local government code (weights 6..2, modulus 11, ones digit)."""
    total = sum(int(d) * w for d, w in zip(five, (6, 5, 4, 3, 2), strict=False))
    return (11 - total % 11) % 10


def city_key(code: str) -> str:
    """The 5 digits that identify a municipality, with or without the check digit."""
    return unicodedata.normalize("NFKC", code).strip()[:5]


def tidy(text: str) -> str:
    """Full-width letters and digits to half-width, half-width kana to full-width, spaces collapsed."""
    text = _NEWLINE_MARK.sub(" ", text or "")
    text = combine_voiced_marks(_WIDE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text))
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def learn_area_codes(numbers: list[str]) -> set[str]:
    """Area codes (市外局番) as written with hyphens in the same data, to hyphenate the others."""
    codes = set()
    for raw in numbers:
        text = unicodedata.normalize("NFKC", raw or "")
        text = re.sub(r"[‐‑‒–—―−ー－]", "-", text).replace(" ", "")
        match = re.fullmatch(r"(0\d{1,4})-(\d{1,4})-(\d{4})", text)
        if match and len(match[1]) + len(match[2]) == 6 and not re.match(r"0(120|800|[5789]0)", text):
            codes.add(match[1])
    return codes


def clean_phone(raw: str, area_codes: set[str]) -> str | None:
    """A phone or FAX number with the usual hyphens; raises ValueError if it is not one."""
    if not (raw or "").strip():
        return None
    text = normalize_phone(raw)
    if text.count("-") == 2:
        return text
    digits = text.replace("-", "")
    if re.match(r"0[5789]0", digits) and len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if digits.startswith("0120") and len(digits) == 10:
        return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    known = [c for c in area_codes if digits.startswith(c)]
    if len(digits) == 10 and known:
        code = max(known, key=len)
        return f"{code}-{digits[len(code) : 6]}-{digits[6:]}"
    return text


def clean_url(raw: str) -> tuple[str | None, str | None]:
    """(url, email) from the URL cell; raises ValueError for a value that is neither."""
    text = unicodedata.normalize("NFKC", raw or "").strip().removeprefix("mailto:")
    if not text:
        return None, None
    if EMAIL_RE.match(text):
        return None, text
    # `http//x`, `https:/x`, `htpps://x`: a scheme with a typo, still clearly meant.
    match = re.match(r"([A-Za-z]{3,6})[:;]*/+", text)
    # Host names never hold a comma: `www.kuribara.co,jp` is a typo for a dot.
    text = re.sub(r"^([^/]*//)?([^/]*)", lambda m: (m[1] or "") + m[2].replace(",", "."), text)
    if match and set(match[1].lower()) <= set("htps") and "t" in match[1].lower():
        text = ("https://" if match[1].lower().endswith("s") else "http://") + text[match.end() :]
    elif text.lower().startswith("www.") or re.fullmatch(
        rf"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.({'|'.join(_TLDS)})(/\S*)?", text, re.I
    ):
        # Only http is sure to answer: an https-only site redirects from it, the reverse does not hold.
        text = "http://" + text
    if not URL_RE.match(text):
        raise ValueError(f"not a web address or e-mail: {raw!r}; left out")
    return text, None


def clean_kana(raw: str) -> str | None:
    """Katakana reading: half-width kana widened, hiragana turned to katakana; ValueError otherwise."""
    text = normalize_kana(tidy(raw))
    if not text:
        return None
    if not KATAKANA_RE.match(text):
        raise ValueError(f"not a katakana reading: {raw!r}; left out")
    return text


def clean_capacity(raw: str) -> int | None:
    """定員 as a number; 0 and empty mean unknown (72% of the national rows)."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"not a number: {raw!r}; left out")
    if re.fullmatch(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", text):
        # A date typed into the capacity column (e.g. 20170814) is in the national open data.
        raise ValueError(f"looks like a date, not a capacity: {raw!r}; left out")
    return int(text) or None


def clean_address(address: str, extra: str, pref: str, city: str) -> str:
    """Prefecture and city in front, 方書 once after a space, digits and hyphens half-width."""
    text = re.sub(r"\s+", "", tidy(address))
    text = _DASH_BETWEEN_DIGITS.sub("-", text)
    building = _DASH_BETWEEN_DIGITS.sub("-", tidy(extra))
    if building:
        squeezed = building.replace(" ", "")
        if text.endswith(squeezed):
            text = text[: -len(squeezed)]
        else:
            text = text.replace(squeezed, "")
    pref, city = tidy(pref).replace(" ", ""), tidy(city).replace(" ", "")
    text = text.removeprefix(pref).removeprefix(city)
    return f"{pref}{city}{text} {building}".strip()


def compose_hours(days: str, note: str) -> str | None:
    """利用可能曜日 and its note as one line, e.g. `平日・土曜日 ※年末年始は休業`."""
    day_list = [d for d in re.split(r"[,、，]", tidy(days)) if d.strip()]
    text = "・".join(d.strip() for d in day_list)
    note = tidy(note)
    if note:
        text = f"{text} ※{note}" if text else note
    if len(text) > 200:
        text = text[:199] + "…"
    return text or None
