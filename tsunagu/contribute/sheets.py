"""The FAX bridge: one A4 状況確認票 per provider, one 連絡方法の確認票 per physician, in a single PDF.

Made to survive a fax machine: black on white only, nothing under 10 pt, thick rules and boxes,
the QR code of the record's personal link at least 25 mm wide. Text is drawn in the standard
Japanese CID fonts (no font file to ship) and encoded as Unicode, so it extracts as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from tsunagu.domain.kinds import PHYSICIAN, PROVIDER, Kind
from tsunagu.domain.labels import ACCEPTANCE_JA, APPOINTMENT_JA, METHOD_JA, OPERATION_JA, WEEKDAY_JA

FONT = "HeiseiKakuGo-W5"  # a gothic of medium weight: strokes that a fax does not thin away
QR_SIZE = 32 * mm  # with its quiet zone; the brief's floor is 25 mm
MIN_PT = 10.5
MARGIN = 16 * mm
WIDTH, HEIGHT = A4
# The questionnaire's own order and words (①代替支援 ②新規 ③感染後; 未定 rather than 未回答).
QUESTIONS = (("alternative_support", "①代替支援"), ("new_clients", "②新規"), ("post_infection", "③感染後"))
CHOICES = ("受入可", "条件付きで可", "受入不可", "未定")
NO_LINE_START = "、。，．）」』】〕ー・：；？！"

Link = Callable[[Kind, Any], str]


@dataclass
class Pen:
    """A canvas and the height the next line starts at (top down, in points)."""

    canvas: Canvas
    y: float = HEIGHT - MARGIN

    def text(self, text: str, size: float = MIN_PT, x: float = MARGIN, gap: float = 1.6) -> None:
        """One line at the current height, then move down."""
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(x, self.y - size, text)
        self.y -= size * gap

    def wrapped(
        self, text: str, size: float = MIN_PT, width: float = WIDTH - 2 * MARGIN, x: float = MARGIN, most: int = 3
    ) -> None:
        """Text wrapped to a width, at most `most` lines (the rest marked as cut)."""
        lines = wrap(text, size, width)
        if len(lines) > most:
            lines = [*lines[: most - 1], clip(lines[most - 1], size, width, "…（以下略）")]
        for line in lines or [""]:
            self.text(line, size, x)

    def rule(self, x1: float = MARGIN, x2: float = WIDTH - MARGIN, width: float = 1.0) -> None:
        """A horizontal line at the current height."""
        self.canvas.setLineWidth(width)
        self.canvas.line(x1, self.y, x2, self.y)

    def box(self, x: float, label: str, size: float = MIN_PT + 1, ticked: bool = False) -> float:
        """A tick box and its label on the current line; returns where the next one may start."""
        side = 4.6 * mm
        self.canvas.setLineWidth(1.2)
        self.canvas.rect(x, self.y - side, side, side)
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(x + side + 1.5 * mm, self.y - side + 0.6 * mm, label)
        return x + side + 3 * mm + pdfmetrics.stringWidth(label, FONT, size) + 4 * mm

    def blanks(self, label: str, count: int, size: float = MIN_PT + 1) -> None:
        """A heading and ruled lines to write on."""
        self.text(label, size, gap=1.3)
        for _ in range(count):
            self.y -= 9 * mm
            self.rule(width=0.8)
        self.y -= 4 * mm


def wrap(text: str, size: float, width: float) -> list[str]:
    """Japanese wraps at any character; each source line starts a new line."""
    out: list[str] = []
    for source in text.splitlines():
        line = ""
        for char in source:
            # A closing mark never starts a line (禁則): it hangs past the edge instead.
            if line and char not in NO_LINE_START and pdfmetrics.stringWidth(line + char, FONT, size) > width:
                out.append(line)
                line = ""
            line += char
        out.append(line)
    return [line for line in out if line.strip()]


def clip(line: str, size: float, width: float, mark: str) -> str:
    """The line shortened until the mark fits after it."""
    while line and pdfmetrics.stringWidth(line + mark, FONT, size) > width:
        line = line[:-1]
    return line + mark


def draw_qr(canvas: Canvas, link: str, x: float, y: float, size: float = QR_SIZE) -> None:
    """The link as a QR code of black squares (vector, so a fax at any resolution keeps the edges)."""
    code = segno.make_qr(link, error="m")
    rows = list(code.matrix_iter(border=4))
    module = size / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * module, y + size - (r + 1) * module, module, module, stroke=0, fill=1)


def header(pen: Pen, title: str, site: Any, today: dt.date) -> None:
    """Title, the region, and the date the sheet was printed."""
    pen.canvas.setFont(FONT, MIN_PT)
    pen.canvas.drawRightString(
        WIDTH - MARGIN, pen.y - MIN_PT, f"{site.title}　{today.year}年{today.month}月{today.day}日 発行"
    )
    pen.y -= MIN_PT * 1.8
    pen.text(title, 18, gap=1.5)
    pen.rule(width=1.6)
    pen.y -= 3 * mm


def footer(pen: Pen, link: str, site: Any, record_id: str) -> None:
    """The QR code of the personal link, what it is, and the FAX number to answer to."""
    top = MARGIN + QR_SIZE + 6 * mm
    pen.canvas.setLineWidth(1.6)
    pen.canvas.line(MARGIN, top, WIDTH - MARGIN, top)
    draw_qr(pen.canvas, link, MARGIN, MARGIN)
    pen.y = top - 2 * mm
    x, width = MARGIN + QR_SIZE + 5 * mm, WIDTH - 2 * MARGIN - QR_SIZE - 5 * mm
    pen.wrapped(
        "スマートフォンで読み取ると、この記録の更新ページが開きます（アカウント不要）。"
        "そこで回答すれば FAX は不要です。",
        MIN_PT,
        width,
        x,
    )
    pen.wrapped("このコードを持つ人は誰でもこの記録を更新できます。外部に渡さないでください。", MIN_PT, width, x)
    pen.y -= 1 * mm
    pen.text(f"FAX 返信先　{site.reply_fax}", 16, x)
    pen.canvas.setFont(FONT, MIN_PT)
    pen.canvas.drawRightString(WIDTH - MARGIN, MARGIN, f"{site.region} 管理者あて　記録 {record_id}")


def filled_in(pen: Pen) -> None:
    """Who filled the sheet in, and when."""
    pen.y -= 2 * mm
    pen.text("ご記入者　　　　　　　　　　　　　　　　記入日　　　　年　　　月　　　日", MIN_PT + 1)


def provider_page(pen: Pen, record: Any, link: str, site: Any, today: dt.date) -> None:
    """The 状況確認票 of one provider: what we have, boxes to tick, lines for conditions."""
    header(pen, "状況確認票（受入状況）", site, today)
    pen.text(record.name, 16, gap=1.5)
    pen.text(f"事業所番号 {record.office_number or '—'}　{'・'.join(record.services)}", MIN_PT)
    pen.text(f"{record.address}　電話 {record.phone}　FAX {record.fax or '—'}", MIN_PT, gap=2)
    status = record.status
    when = f"{status.updated.year}年{status.updated.month}月{status.updated.day}日 確認" if status.updated else "未回答"
    pen.text(f"現在の登録内容（{when}）", MIN_PT + 1)
    answers = "　".join(f"{label[1:]}: {ACCEPTANCE_JA[getattr(status, key)]}" for key, label in QUESTIONS)
    vacancies = "—" if status.vacancies is None else f"{status.vacancies} 人"
    pen.text(f"営業状況: {OPERATION_JA[status.operation]}　{answers}　空き: {vacancies}", MIN_PT)
    pen.wrapped(f"受入条件: {status.conditions.strip() if status.conditions else '—'}", MIN_PT, most=3)
    pen.y -= 2 * mm
    pen.rule(width=1.2)
    pen.y -= 4 * mm
    pen.box(MARGIN, "変更なし（現在の登録内容のとおり）")
    pen.y -= 10 * mm
    pen.text("変更がある場合は、当てはまる □ に印を付けてください。", MIN_PT + 1, gap=1.8)
    for _key, label in QUESTIONS:
        pen.canvas.setFont(FONT, 13)
        pen.canvas.drawString(MARGIN, pen.y - 4.6 * mm + 0.6 * mm, label)
        x = MARGIN + 30 * mm
        for choice in CHOICES:
            x = pen.box(x, choice)
        pen.y -= 10 * mm
    pen.canvas.setFont(FONT, 13)
    pen.canvas.drawString(MARGIN, pen.y - 4.6 * mm + 0.6 * mm, "営業状況")
    x = MARGIN + 30 * mm
    for label in OPERATION_JA.values():
        x = pen.box(x, label)
    pen.y -= 10 * mm
    pen.text("空き　　　　　　人", 13, gap=2)
    pen.blanks("受入条件（「この条件なら受け入れられる」をご記入ください）", 4)
    filled_in(pen)
    footer(pen, link, site, record.id)


def window_text(window: Any) -> str:
    """A contact window in words: 火・水 12:30-13:30（電話・FAX）."""
    methods = "・".join(METHOD_JA[m] for m in window.methods)
    return "・".join(WEEKDAY_JA[d] for d in window.days) + f" {window.time}" + (f"（{methods}）" if methods else "")


def physician_page(pen: Pen, record: Any, link: str, site: Any, today: dt.date) -> None:
    """The contact-preference sheet of one physician."""
    header(pen, "連絡方法の確認票（医師）", site, today)
    pen.text(f"{record.clinic}　{record.name} 先生", 16, gap=1.5)
    pen.text(f"{record.address}　電話 {record.phone}　FAX {record.fax or '—'}", MIN_PT, gap=2)
    contact = record.contact
    pen.text(
        f"現在の登録内容（{contact.updated.year}年{contact.updated.month}月{contact.updated.day}日 確認）", MIN_PT + 1
    )
    windows = "、".join(window_text(w) for w in contact.windows) or "—"
    pen.wrapped(f"連絡しやすい時間帯: {windows}", MIN_PT, most=2)
    methods = "・".join(METHOD_JA[m] for m in contact.methods) or "—"
    pen.text(
        f"連絡方法: {methods}　面談の予約: {APPOINTMENT_JA[contact.appointment_required]}"
        f"　取次ぎ: {contact.via or '—'}",
        MIN_PT,
    )
    pen.wrapped(f"連絡時のお願い: {contact.notes.strip() if contact.notes else '—'}", MIN_PT, most=2)
    pen.y -= 2 * mm
    pen.rule(width=1.2)
    pen.y -= 4 * mm
    pen.box(MARGIN, "変更なし（現在の登録内容のとおり）")
    pen.y -= 10 * mm
    pen.text("変更がある場合は、連絡しやすい時間帯（最大 3 つ）と方法をご記入ください。", MIN_PT + 1, gap=1.8)
    for n in range(1, 4):
        pen.text(f"時間帯 {n}", MIN_PT + 1, gap=0.2)
        x = MARGIN + 20 * mm
        for day in WEEKDAY_JA.values():
            x = pen.box(x, day)
        pen.canvas.setFont(FONT, MIN_PT + 1)
        pen.canvas.drawString(x, pen.y - 4.6 * mm + 0.6 * mm, "　　：　　〜　　：　　")
        pen.y -= 8 * mm
        x = MARGIN + 20 * mm
        for method in METHOD_JA.values():
            x = pen.box(x, method)
        pen.y -= 9 * mm
    pen.canvas.setFont(FONT, MIN_PT + 1)
    pen.canvas.drawString(MARGIN, pen.y - 4.6 * mm + 0.6 * mm, "面談の予約")
    x = MARGIN + 25 * mm
    for label in APPOINTMENT_JA.values():
        x = pen.box(x, label)
    pen.y -= 10 * mm
    pen.text("取次ぎ（どなたにお取次ぎすればよいか）", MIN_PT + 1, gap=1.3)
    pen.y -= 8 * mm
    pen.rule(width=0.8)
    pen.y -= 4 * mm
    pen.blanks("連絡時のお願い", 2)
    filled_in(pen)
    footer(pen, link, site, record.id)


PAGES = {PROVIDER.name: provider_page, PHYSICIAN.name: physician_page}


def write_sheets(records: Iterable[tuple[Kind, Any]], site: Any, link: Link, out: Path, today: dt.date) -> int:
    """Write one page per record into a PDF at `out`; returns the number of pages."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    canvas = Canvas(str(out), pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(f"{site.title} 状況確認票")
    canvas.setCreator("tsunagu")
    pages = 0
    for kind, record in records:
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setStrokeColorRGB(0, 0, 0)
        PAGES[kind.name](Pen(canvas), record, link(kind, record), site, today)
        canvas.showPage()
        pages += 1
    canvas.save()
    return pages
