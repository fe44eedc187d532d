"""Reading order down the page (pipeline/extract/layout.py: _in_page_order). Tesseract reads
column by column: a note written down the left margin (or a seal's text, a photocopy's edge)
becomes a narrow first column, and its block came before the header -- the header then looked
empty and its number, date and issuer were not read (HS_2016_0034 of a wide heavy corpus)."""
from __future__ import annotations

import dataclasses

from extract_helpers import MOTTO, vals
from sohoa.core.types import PageText, Word
from sohoa.corpus.pagetext import lay_out
from sohoa.pipeline.extract import extract

ITEMS = [("CÔNG AN TỈNH NAM ĐỊNH", MOTTO[0]), (None, MOTTO[1]),
         ("Số: 12/QĐ-CA", "Nam Định, ngày 25 tháng 4 năm 2026"),
         {"text": "QUYẾT ĐỊNH", "align": "center"},
         {"text": "GIẢM THỜI HẠN CHẤP HÀNH ÁN PHẠT TÙ", "align": "center"},
         "Căn cứ Điều 63 Bộ luật Hình sự; Điều 38 Luật Thi hành án hình sự;",
         "Điều 1. Giảm thời hạn chấp hành án phạt tù cho phạm nhân:",
         "Họ và tên: Nguyễn Văn An"]


def _with_margin_note_read_first(page: PageText) -> PageText:
    """The page as Tesseract gives it with a note down the left margin, two thirds of the way
    down: the note's block first in the reading order, the page's own lines after it."""
    y = 0.65 * page.height
    note = [Word("Hồ", 0.6, (14.0, y, 30.0, y + 12), 0, 900), Word("sơ", 0.6, (14.0, y + 14, 30.0, y + 26), 1, 900),
            Word("số 2", 0.5, (14.0, y + 28, 30.0, y + 52), 2, 900)]
    rest = [dataclasses.replace(w, line=w.line + 3) for w in page.words]
    return PageText(page.number, page.width, page.height, note + rest, page.source)


def test_a_margin_note_read_first_leaves_the_header_at_the_top():
    pages = lay_out(ITEMS, conf=0.96, source="ocr")
    plain = vals(extract(pages))
    noted = vals(extract([_with_margin_note_read_first(pages[0]), *pages[1:]]))
    for k in ("document_number", "issue_date", "issuer", "decision_kind"):
        assert noted.get(k) == plain.get(k) and plain.get(k) is not None, (k, noted.get(k), plain.get(k))


def test_the_two_columns_of_a_header_keep_the_ocrs_order():
    """The header's left column (the issuing body) and right column (the motto) start on the same
    band: their blocks keep the OCR's order, so the body's lines stay together."""
    from sohoa.pipeline.extract.layout import Doc
    pages = lay_out(ITEMS, conf=0.96, source="ocr", separate_columns=True)
    doc = Doc.build(pages)
    texts = [s.text for s in doc.segments]
    assert texts.index("CÔNG AN TỈNH NAM ĐỊNH") < texts.index("Số: 12/QĐ-CA")
    assert vals(extract(pages))["issuer"] == "Công an tỉnh Nam Định"


def test_a_dash_after_the_number_is_stripped_and_doubted():
    """'Số: 421/2021/QĐ-CA-' (a stroke after the symbol, or its last part lost): the number is
    read, one repair, not lost (a wide heavy corpus lost it)."""
    items = [{**it, "text": it["text"]} if isinstance(it, dict) else it for it in ITEMS]
    items[2] = ("Số: 12/QĐ-CA-", "Nam Định, ngày 25 tháng 4 năm 2026")
    f = extract(lay_out(items, conf=0.96, source="ocr")).fields["document_number"]
    assert f.value == "12/QĐ-CA" and f.confidence < 0.9


def test_a_cited_acceptance_number_is_not_the_judgments_own():
    """The header's number lost under damage, the first 'số' the text offers is the case's
    acceptance ('thụ lý số: 186/2016/TLST-HS', held-out seed 90003, reported at 0.93): another
    paper's number, never the judgment's."""
    items = [("TÒA ÁN NHÂN DÂN", MOTTO[0]), ("QUẬN 1", MOTTO[1]),
             "lý số: 186/2016/TLST-HS ngày 7/3/2016, theo",
             "Quyết định đưa vụ án ra xét xử số: 179/2016/QĐXXST-HS ngày 23/03/2016 đối với bị cáo:",
             "Bị cáo: Nguyễn Văn An, sinh năm 1964 tại tỉnh Bình Dương; nơi cư trú: xã Hưng Định"]
    f = extract(lay_out(items, conf=0.96, source="ocr")).fields.get("document_number")
    assert f is None or ("TLST" not in f.value and "QĐXX" not in f.value), f
