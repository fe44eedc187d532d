"""A received stamp's entries are not the document's (issue 15): the office that received the
paper writes its own 'Số:' and 'Ngày:' into a 'VĂN THƯ - ĐẾN' box, often over the header."""
from __future__ import annotations

from extract_helpers import HIGH, MOTTO, read_ocr, vals

BODY = ["Căn cứ Điều 63 Bộ luật Hình sự; Điều 38 Luật Thi hành án hình sự;",
        "Điều 1. Giảm thời hạn chấp hành án phạt tù cho phạm nhân:",
        "Họ và tên: Nguyễn Văn An"]


def _decision(stamp_title: str | None, place_date: str | None):
    items: list = [("CÔNG AN TỈNH NAM ĐỊNH", MOTTO[0]), (None, MOTTO[1])]
    if stamp_title:
        items += [{"text": stamp_title, "align": "right"}]
    items += [{"text": "Số: 1708", "align": "right"}, {"text": "Ngày: 01/02/2026", "align": "right"}]
    items += [("Số: 12/QĐ-CA", place_date)]
    items += [{"text": "QUYẾT ĐỊNH", "align": "center"}, {"text": "GIẢM THỜI HẠN CHẤP HÀNH ÁN PHẠT TÙ", "align": "center"}]
    return items + BODY


def test_the_stamps_date_is_not_the_issue_date():
    """The place-and-date line lost under a seal, a received stamp's date beside the header: not
    taken for the issue date (it was, at 0.94, on a generated corpus with stamps)."""
    ex = read_ocr(_decision("VĂN THƯ - ĐẾN", None))
    f = ex.fields.get("issue_date")
    assert f is None or f.value != "2026-02-01" or f.confidence < HIGH
    assert vals(ex).get("document_number") == "12/QĐ-CA"


def test_the_header_date_still_reads_beside_a_stamp():
    ex = read_ocr(_decision("CÔNG VĂN ĐẾN", "Nam Định, ngày 25 tháng 4 năm 2026"))
    assert ex.fields["issue_date"].value == "2026-04-25" and ex.fields["issue_date"].confidence >= HIGH


def test_without_the_stamps_title_a_header_date_line_is_the_issue_date():
    """The control: the same 'Ngày:' line with no stamp title above it is the header's date."""
    ex = read_ocr(_decision(None, None))
    assert ex.fields["issue_date"].value == "2026-02-01"
