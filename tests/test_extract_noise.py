"""OCR's slips in a header's number and in names, seen on wide-variation scans (seals, initials and
photocopies over the header; issue 15): read through when the slip is of a known kind, and each
repair counted so that the value goes to a person."""
from __future__ import annotations

import pytest
from sohoa.pipeline.extract import evidence as ev
from sohoa.pipeline.extract.header import _SO, parse_number
from sohoa.pipeline.extract.normalize import fold
from sohoa.pipeline.extract.person import name_quality, vietnamese_letters


@pytest.mark.parametrize("raw,value,repairs", [
    ("397/2019/QĐ-CÁ", "397/2019/QĐ-CA", 1),  # a tone mark on a symbol's letter
    ("605/QĐ- THẢ", "605/QĐ-THA", 1),  # and a space after the hyphen
    ("125/2024/HS-ST", "125/2024/HS-ST", 0),
])
def test_a_symbols_letters_carry_no_tone_marks(raw, value, repairs):
    n = parse_number(raw)
    assert n is not None and n.value == value and n.repairs == repairs


def test_a_scrap_before_the_number_line_does_not_hide_it():
    assert _SO.match(fold("| v2 Số: 593/QĐ-CA"))
    assert not _SO.match(fold("Căn cứ số 5"))


@pytest.mark.parametrize("word,ok", [("Byă", True), ("Byä", False), ("Ngữ", True), ("Hưởng", True),
                                     ("Zhang", True), ("Ñam", False), ("Êban", True), ("Thụy", True)])
def test_vietnamese_letters(word, ok):
    assert vietnamese_letters(word) is ok


def test_a_foreign_mark_in_a_name_is_a_slip():
    """'Y Thuột Byä' for 'Y Thuột Byă' was a silent error at 0.90."""
    assert name_quality("Y Thuột Byä") == [ev.NAME_FOREIGN_MARK]
    assert name_quality("Y Thuột Byă") == []
    assert ev.NAME_FOREIGN_MARK in ev.READING_DOUBTS
