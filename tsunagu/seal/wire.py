"""The wire format: every constant and rule the browser shares with the build, defined once.

The build's modules import these; `python -m tsunagu.seal.wire` writes tsunagu/web/static/wire.js from
them (committed; tests/seal/test_wire.py fails when it is out of date), and tests/vectors/*.json check
that both sides apply them alike. Only plain data lives here (numbers, strings, lists, tables): the
code that applies it exists once per language and is tested against the same vectors.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tsunagu.domain import labels, paths

# keys.json: the only versions, KDF and cipher accepted, and the iteration bounds the browser enforces.
KEYS_VERSION = 2
KDF = "PBKDF2-SHA256"
CIPHER = "AES-256-GCM"
MIN_ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000
SALT_BYTES = 16
NONCE_BYTES = 12  # AES-GCM nonce at the start of every sealed blob and slot

# Associated data: each label ends in NUL so that no label is a prefix of another's data.
SLOT_AD = "tsunagu/v2/slot\0"  # ‖ epoch (u64) ‖ SHA-256 of the root manifest
FILE_AD = "tsunagu/v2/file\0"  # ‖ path ‖ NUL ‖ part (u32) ‖ parts (u32)
DIR_AD = "tsunagu/v2/dir\0"  # ‖ pack number (u32)
ROOT_AD = "tsunagu/v2/root\0"
LOC_AD = "tsunagu/v2/loc\0"  # ‖ first pack number of the locator part (u32)
FRG_AD = "tsunagu/v2/frg\0"  # ‖ pack number (u32): the pack's list of search fragments
PACK_LABEL = "pack\0"  # HMAC(grouping key, PACK_LABEL ‖ placement ‖ NUL ‖ part (u32)): an entry's slot

# Framing of every payload: flag (1 byte) ‖ true length (u32) ‖ body ‖ zeros to a Padmé bucket.
STORED, DEFLATE = 0, 1  # body as is / raw deflate
# Units deflated against a section of the build's dictionary (render/sample.py): body = section (u8) ‖ count (u32)
# ‖ count × (deflated length, plain length) (u32 each) ‖ the units, each raw deflate with the section as preset
# dictionary, ended by a sync flush (byte-aligned, not final). Decoded as one stream: before each unit a stored
# block holding the section, after the last an empty final block; the copies of the section are then cut out.
DICTIONARY = 2
DICT_PATH = paths.DATA_DIR + "dictionary.bin"  # the sections, sealed as a file of its own
DICT_SECTIONS = ("record", "fragment", "sheet", "data")
DICT_HEADER = 5
DICT_MAGIC = "tsunagu/dict\n"  # the dictionary file's first bytes (then count u32, and length u32 ‖ bytes each)
# Left out of 「この端末に保存」: only the update page reads records.json, and it needs a network to send anyway.
UNSAVED = (paths.DATA_DIR + "records.json", "rows/records")  # the file and its rows (ROWS_DIR below)
FRAME_HEADER = 5
MIN_BUCKET = 256  # Padmé's smallest bucket

# Public file names and path rules.
FILE_DIR = "p/"  # every sealed file: p/<first 128 bits of a SHA-256, hex>.bin
FILE_SUFFIX = ".bin"
SHORT_HASH_HEX = 32
RECORD_DIR = paths.RECORD_DIR  # record pages, r/<token>.html: compressed alone, packed, located
# A record's Pagefind fragment, named after its page's token: placed (and packed) with r/<token>.html.
FRAGMENT = rf"^{paths.INDEX_DIR}(?:s[0-9]+/)?fragment/zz_([a-z0-9]+)\.pf_fragment$"
# A large region's index chunk K of every shard (search/bundle.py) is one file, BUNDLE_DIR + its name, and so are
# its filter file F and its meta file of every shard (an edit re-seals them: one file each, not one per shard):
# BUNDLE_MAGIC ‖ count (u32) ‖ count × length (u32) ‖ the shards' files in shard order (the root index first; a
# shard without that file has length 0; a file starting with NUL would be read as a composite). BUNDLED matches
# what Pagefind asks for: (shard number, absent for the root index; the bundle's name).
BUNDLE_DIR = paths.INDEX_DIR + "bundle/"
BUNDLE_MAGIC = "tsunagu/bundle\n"
BUNDLED = (
    rf"^{paths.INDEX_DIR}(?:s([0-9]+)/)?(?:index/|filter/)?"
    r"(zz_i[0-9]+\.pf_index|zz_f[0-9]+\.pf_filter|pagefind\.zz_m[0-9]+\.pf_meta)$"
)

# The root manifest (sealed JSON) and its rows, by field position.
ROOT_VERSION = 4  # 4: composites and their row stores
DIR_ROW = ("digest", "offset", "length")  # root "dirs"[pack number] (null: empty pack)
SOLO_ROW = ("path", "part", "parts", "digest", "length")  # root "solo": an entry that is a file of its own
LOC_ROW = ("digest", "length", "first", "end")  # root "loc": one locator part
FRG_ROW = ("digest", "offset", "length")  # root "frg"[pack number]: its fragment list (null: none)
ENTRY_ROW = ("path", "part", "parts", "offset", "length", "sha256")  # a pack directory's rows

# Locator parts: per pack number, a u16 count, then rows of tag (3) ‖ offset (u24) ‖ length (u24).
LOC_TAG = (4, 7)  # the slot's bytes [4, 7): bytes [0, 4) already picked the pack
LOC_ROW_BYTES = 9
LOC_PARTS = 16
LOC_LIMIT = 1 << 24
# A pack's fragment list (sealed, stored, in the pack before its directory): rows of tag (LOC_TAG) ‖ offset (u24) ‖
# length (u24) ‖ the first FRG_HASH_BYTES of the entry's SHA-256, one per search fragment of the pack; a search
# result's fragment is then read without the pack's directory (tags shared within the pack are left out).
FRG_HASH_BYTES = 16
FRG_ROW_BYTES = 25

# Composites: a shared file whose rows belong to records (the area lists, physicians, the status sheet, the data
# files) is sealed as a skeleton, its own text with a marker NUL ‖ key ‖ NUL where each record's row was, after
# NUL ‖ store path ‖ NUL; the rows live in the store, one part per bucket, each row as NUL ‖ key ‖ NUL ‖ row.
# A key is the hex of the first ROW_KEY_BYTES of the record page's slot, "." and a count (keys stay unique);
# its bucket is the key's first 4 bytes (u32) modulo the store's parts: the record page's pack number modulo
# that count whenever there are at least as many packs. A status edit changes one part of each store, the
# same stores whatever the record's area: no part maps to an area or to an order.
ROWS_DIR = "rows/"
ROW_KEY_BYTES = 6
ROWS_PER_BUCKET = 16  # records per part of a store, at least (a power of two; at most as many parts as packs)
MAX_BUCKETS = 128

# Search text, applied alike to the index (build) and to the query (browser): NFKC, lower case,
# katakana folded to hiragana, then every character in DROP removed. Code point ranges, inclusive.
KANA = (0x30A1, 0x30F6)  # katakana that have a hiragana 0x60 below
KANA_SHIFT = 0x60
DROP = (
    (0x0000, 0x002F),
    (0x003A, 0x0040),
    (0x005B, 0x0060),
    (0x007B, 0x009F),  # controls, space, ASCII marks
    (0x00A0, 0x00A0),
    (0x00AD, 0x00AD),
    (0x1680, 0x1680),
    (0x180E, 0x180E),  # spaces, soft hyphen
    (0x2000, 0x2015),
    (0x2018, 0x2019),
    (0x201C, 0x201D),  # spaces, zero widths, dashes, quotes
    (0x2028, 0x202F),
    (0x205F, 0x2064),
    (0x2066, 0x206F),
    (0x2212, 0x2212),  # bidi controls, joiners, minus
    (0x3000, 0x3002),
    (0x3008, 0x3011),
    (0x3014, 0x3015),
    (0x301C, 0x301C),  # 、。「」【】〔〕〜
    (0x30FB, 0x30FC),  # ・ー
    (0xD800, 0xDFFF),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),  # lone surrogates, selectors, BOM
    (0xE0000, 0xE0FFF),
    (0xF0000, 0x10FFFF),  # tags, selectors; private planes (a kept character has 5 hex digits)
)
# What separates the words of a query (Python's str.isspace; U+FEFF is dropped inside a word instead).
SPACES = (
    (0x0009, 0x000D),
    (0x001C, 0x0020),
    (0x0085, 0x0085),
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)
TOKEN_PREFIX = "k"  # an n-gram: "k" + 5 hex digits per character
TOKEN_HEX = 5
EXACT_PREFIX = "x"  # a whole name or number: "x" + the first 12 hex digits of FNV-1a-64
EXACT_HEX = 12
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
# A leading prefecture is not a search word: nearly every record shares it.
PREFECTURES = (
    "北海道",
    "東京都",
    "京都府",
    "大阪府",
    *(
        f"{p}県"
        for p in (
            "青森",
            "岩手",
            "宮城",
            "秋田",
            "山形",
            "福島",
            "茨城",
            "栃木",
            "群馬",
            "埼玉",
            "千葉",
            "神奈川",
            "新潟",
            "富山",
            "石川",
            "福井",
            "山梨",
            "長野",
            "岐阜",
            "静岡",
            "愛知",
            "三重",
            "滋賀",
            "兵庫",
            "奈良",
            "和歌山",
            "鳥取",
            "島根",
            "岡山",
            "広島",
            "山口",
            "徳島",
            "香川",
            "愛媛",
            "高知",
            "福岡",
            "佐賀",
            "長崎",
            "熊本",
            "大分",
            "宮崎",
            "鹿児島",
            "沖縄",
        )
    ),
)

# Search filters: URL parameter -> Pagefind filter name (values are the labels shown on the site).
KIND_FILTER, AREA_FILTER, SERVICE_FILTER = "種別", "地域", "サービス"
HOME_VISITS, CARE_SUPPORT = labels.HOME_VISITS, labels.CARE_SUPPORT
FILTERS = {"kind": KIND_FILTER, "area": AREA_FILTER, "service": SERVICE_FILTER, **labels.STATUS_FIELDS_JA}
# A provider's 営業 and 空き: filters too, so that search cards show them without metadata (Pagefind indexes
# metadata values as words: which index chunks an edit changed would tell the field and the value).
OPERATION_FILTER, VACANCY_FILTER = "営業", "空き"
ACCEPTANCE = dict(labels.ACCEPTANCE_JA)  # answer code -> the value of its filter
OPEN = labels.OPERATION_JA["open"]
FLAGS = {"home_visits": (HOME_VISITS, "対応"), "care_support_doctor": (CARE_SUPPORT, "はい")}
KIND_NAMES = dict(labels.KIND_JA)  # record kind -> the value of the kind filter
# One filter choice for the two answers a care manager can work with.
ACCEPTING_OR_CONDITIONAL = "受入可または条件付き"
EITHER = {ACCEPTING_OR_CONDITIONAL: (labels.ACCEPTANCE_JA["accepting"], labels.ACCEPTANCE_JA["conditional"])}


EXPORTS = tuple(n for n in list(globals()) if n.isupper())
OUTPUT = Path(__file__).resolve().parents[1] / "web" / "static" / "wire.js"
HEADER = (
    "// generated by `python -m tsunagu.seal.wire` from tsunagu/seal/wire.py: do not edit.\n"
    "// @ts-check\n/** The wire format shared with the build (see tsunagu/seal/wire.py for what each means). */\n"
)


def fields(row: tuple[str, ...]) -> dict[str, int]:
    """Field name -> position in a manifest row."""
    return {name: i for i, name in enumerate(row)}


def row(fields_: tuple[str, ...], **values: object) -> list[object]:
    """A manifest row: the values in the order of its fields (the browser reads them by the same names)."""
    if set(values) != set(fields_):
        raise ValueError(f"a row of {fields_} given {sorted(values)}")
    return [values[name] for name in fields_]


def char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A regular-expression character class of code point ranges (the browser builds the same)."""
    return "[" + "".join(re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in ranges) + "]"


def _js(value: object) -> str:
    """A constant as JavaScript: integers beyond 2**53 as BigInt, everything else as JSON."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 2**53:
        return f"{value}n"
    return json.dumps(value, ensure_ascii=False)


def javascript() -> str:
    """The text of wire.js."""
    lines = [f"export const {name} = {_js(globals()[name])};" for name in EXPORTS]
    return HEADER + "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write wire.js, or with --check say whether it is up to date (exit 1 if not)."""
    text = javascript()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if "--check" in argv:
        if current != text:
            print(f"{OUTPUT}: out of date; run `python -m tsunagu.seal.wire`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
