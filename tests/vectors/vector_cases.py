"""Inputs of the vectors that are tables: keys.json variants around the browser's limits, and hostile texts."""

from __future__ import annotations

import base64
import json

from tsunagu.seal import wire

DROP = object()  # a field left out


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def keys_variants(doc: dict, salt: bytes) -> list[tuple[str, object]]:
    """(why, keys.json or its text) around the limits the browser enforces."""

    def with_(**changes: object) -> dict:
        out = dict(doc)
        for k, v in changes.items():
            if v is DROP:
                del out[k]
            else:
                out[k] = v
        return out

    return [
        ("as built", doc),
        ("the fewest iterations", with_(iterations=wire.MIN_ITERATIONS)),
        ("the most iterations", with_(iterations=wire.MAX_ITERATIONS)),
        ("one iteration too few", with_(iterations=wire.MIN_ITERATIONS - 1)),
        ("one iteration too many", with_(iterations=wire.MAX_ITERATIONS + 1)),
        ("iterations as text", with_(iterations=str(wire.MIN_ITERATIONS))),
        ("iterations true", with_(iterations=True)),
        ("iterations 600000.5", with_(iterations=wire.MIN_ITERATIONS + 0.5)),
        ("version 2.0 is the number 2", '{"version": 2.0, ' + json.dumps(with_(version=DROP))[1:]),
        ("version 1", with_(version=1)),
        ("version 3", with_(version=3)),
        ("no kdf", with_(kdf=DROP)),
        ("PBKDF2-SHA1", with_(kdf="PBKDF2-SHA1")),
        ("AES-128-GCM", with_(cipher="AES-128-GCM")),
        ("a salt of 15 bytes", with_(salt=_b64(salt[:15]))),
        ("a salt of 17 bytes", with_(salt=_b64(salt + b"!"))),
        ("a salt without padding", with_(salt=_b64(salt).rstrip("="))),
        ("epoch 0", with_(epoch=0)),
        ("epoch -1", with_(epoch=-1)),
        ("epoch 2**53 - 1", with_(epoch=2**53 - 1)),
        ("epoch 2**53", with_(epoch=2**53)),
        ("epoch 1.5", with_(epoch=1.5)),
        ("a root outside p/", with_(root="q/" + "0" * 32 + ".bin")),
        ("a short root name", with_(root="p/00.bin")),
        ("root_sha256 in upper case", with_(root_sha256=doc["root_sha256"].upper())),
        ("no slots", with_(slots=[])),
        ("a slot that is a number", with_(slots=[1])),
        ("not an object", [doc]),
        ("null", None),
    ]


HOSTILE = [
    "デイサービスさくら",
    "ﾃﾞｲｻｰﾋﾞｽ 南台",
    "ＰＣＲ 陰性",
    "０２９－０００－１０１１",
    "茨城県水戸市百合が丘町8番3",
    "やまだ　内科",
    "𠮷野家",
    "GH",
    "ヴィラ・ヴェール",
    "1-2-3",
    "南",
    "看取り（要相談）",
    "さくら市北条",
    "茨城県さくら市",
    "\ufeff山田",
    "山田\ufeff太郎",
    "山田\u001c太郎",
    "山田\u001f太郎",
    "山田\u200b太郎",
    "山田\u00ad太郎",
    "山田\u2060太郎",
    "\u202e田山",
    "山田\u2028太郎",
    "山田\u0085太郎",
    "a\u0000b",
    "tab\tsep",
    "ｶﾞｯｺｳ",
    "ｱｲｳ ｴｵ",
    "ｰ",
    "ｳﾞｨﾗ",
    "ﾊﾟﾋﾟﾌﾟ",
    "㍻",
    "①②",
    "㈱さくら",
    "ﬁ",
    "Ⅻ",
    "ＡＢＣ",
    "İstanbul",
    "ΣΑΣ ΑΣ",
    "straße",
    "e\u0301",
    "テ\u200bﾞ",
    "ヷ",
    "ヴ",
    "ゔ",
    "〜～~",
    "‐‑‒–—―−－",
    "葛\U000e0100飾",
    "葛\ufe00",
    "\U000f0000私",
    "\U0010fffd",
    "\ud800孤",
    "👨\u200d👩\u200d👧",
    "\u3000茨城県さくら市北条",
    "茨城県",
    "茨城県 さくら市",
    "東京都港区",
    "京都府京都市",
    "大阪府",
    "北海道札幌市",
    "さくら市",
    "水戸市さくら",
    "  ",
    "",
    "0290001011",
    "029-000-1011",
    "京都",
    "東京都",
    "京都市中央区",
    "水戸市中央区",
    "茨城県水戸市",
    "ｷｮｳﾄ",
    "水戸さくら",
    "中央区",
]
