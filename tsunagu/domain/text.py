"""Characters no record may hold: controls, escape sequences and the invisible marks that reorder text."""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embeddings, overrides and isolates, and the marks that steer them: they make text
# display in another order than it is stored ("Trojan Source"), so a name can pass for another.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible characters that split or join words unseen, and line separators JavaScript treats as newlines.
INVISIBLE = "\u200b\u2060\ufeff\u2028\u2029"
_OTHER = "\ufffe\uffff\U000f0000-\U000fffff"  # non-characters, and the stand-ins of shield()
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}{INVISIBLE}{_OTHER}]")
_FORBIDDEN_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI}{INVISIBLE}{_OTHER}]")
_NAMES = {0x00: "NULL", 0x09: "TAB", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE"}


# Characters YAML itself refuses to read are swapped for stand-ins in this private-use range before
# parsing (shield), so the refusal can name the field they are in instead of only the file.
_STAND_IN = 0xF0000
_YAML_UNREADABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def shield(text: str) -> str:
    """The text with every character YAML cannot read replaced by its stand-in."""
    return _YAML_UNREADABLE.sub(lambda m: chr(_STAND_IN + min(ord(m.group()), 0xFFFF)), text)


def describe(char: str) -> str:
    """A forbidden character in words, e.g. `control character U+001B (ESCAPE)`; never the character itself."""
    code = ord(char)
    if _STAND_IN <= code <= _STAND_IN + 0xFFFF:
        code -= _STAND_IN
        char = chr(code)
    name = _NAMES.get(code) or unicodedata.name(char, "")
    what = (
        "bidirectional control"
        if char in BIDI
        else "invisible character"
        if char in INVISIBLE
        else "control character"
        if unicodedata.category(char) == "Cc"
        else "character"
    )
    return f"{what} U+{code:04X}" + (f" ({name})" if name else "")


def printable(text: str) -> str:
    """Text safe to print on a terminal or in a log: every non-printable character escaped as \\x.., \\u...."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def forbidden_character(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """(index, description) of the first character a record must not hold, or None.

    Tab and newline are allowed only in multi-line (Markdown) fields.
    """
    match = (_FORBIDDEN if multiline else _FORBIDDEN_ONE_LINE).search(text)
    return (match.start(), describe(match.group())) if match else None


# Terminal escape sequences (CSI, OSC such as hyperlinks, and two-character ones), removed whole.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[0-~]"
)


def strip_forbidden(text: str, *, multiline: bool = False) -> str:
    """The text without escape sequences and forbidden characters; a control that separated words becomes a space."""
    pattern = _FORBIDDEN if multiline else _FORBIDDEN_ONE_LINE
    return pattern.sub(lambda m: " " if m.group() in "\t\n\r\x0b\x0c\u2028\u2029" else "", _ESCAPES.sub("", text))


def refusal(char_description: str) -> str:
    """The message for a forbidden character: what it is and what to do."""
    why = ": it can make text show differently from what it is" if "bidirectional" in char_description else ""
    return f"{char_description} is not allowed{why}; delete it"


# Fields holding Markdown (the models' LongText): the only ones where tab and newline belong.
# Around unreviewed free text in a page (render's `free` filter): the seal stores what is between as it is,
# never deflated (seal/free.py). HTML comments: nothing shows, and the text between has no "<" once escaped.
FREE_OPEN, FREE_CLOSE = "<!--f-->", "<!--/f-->"
MARKDOWN_FIELDS = frozenset({"notes", "note", "conditions"})


def spreadsheet_cell(value):
    """A CSV cell as text a spreadsheet will not run as a formula (=, +, -, @, tab or CR first: kept with a quote)."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value
