"""Unit tests of the extractor's building blocks: numbers, dates, document numbers, catalogues."""
from __future__ import annotations

import pytest
from sohoa.pipeline.extract.catalogues import match_offence
from sohoa.pipeline.extract.dates import find_dates
from sohoa.pipeline.extract.header import compose_issuer, parse_number
from sohoa.pipeline.extract.normalize import fold, title_name
from sohoa.pipeline.extract.numbers import find_durations, find_money, words_to_int


@pytest.mark.parametrize("text,n", [("hai", 2), ("mười tám", 18), ("hai mươi lăm", 25), ("bốn mươi hai", 42),
                                     ("Hai mươi triệu đồng", 20_000_000), ("một trăm linh năm", 105),
                                     ("hai triệu năm trăm nghìn đồng", 2_500_000), ("năm", 5), ("mười", 10)])
def test_words_to_int(text, n):
    assert words_to_int(text) == n


@pytest.mark.parametrize("text,months,agree", [
    ("02 (hai) năm 06 (sáu) tháng tù", 30, True), ("18 (mười tám) tháng tù", 18, True),
    ("03 năm tù", 36, None), ("02 (ba) năm tù", 24, False), ("hai năm tù", 24, None),
    ("12 (mười hai) thángthời hạn", 12, True),
])
def test_durations(text, months, agree):
    d = find_durations(fold(text), text)[0]
    assert d.total_months == months and d.words_agree is agree


@pytest.mark.parametrize("text,lost", [
    ("Xử phạt bị cáo Lê Văn Dương 02 (hai) nàn 06 (sáu) tháng tù", True),  # 'năm' misread
    ("Xử phạt bị cáo Lê Văn Dương 02 răm 06 tháng tù", True),
    ("Xử phạt bị cáo Lê Văn Dương 02 (hai) năm 06 (sáu) tháng tù", False),
    ("theo khoản 1 Điều 51, xử phạt bị cáo 06 (sáu) tháng tù", False),
    ("tổng hợp hình phạt của 2 bản án là 06 tháng tù", False),
])
def test_a_number_whose_unit_is_unreadable_marks_the_term_after_it(text, lost):
    """The term read may be only the tail of a longer one: its confidence must drop."""
    d = find_durations(fold(text), text)[-1]
    assert d.unit_lost_before is lost


def test_duration_is_not_taken_from_dates():
    t = "sinh ngày 8 tháng 11 năm 13992; thời gian 03 tháng"
    ds = find_durations(fold(t), t)
    assert [d.total_months for d in ds] == [3]


def test_money():
    t = "phạt tiền 20.000.000 đồng (Hai mươi triệu đồng)"
    m = find_money(fold(t), t)[0]
    assert m.value == 20_000_000 and m.words_agree is True


@pytest.mark.parametrize("text,iso", [("ngày 18 tháng 3 năm 2024", "2024-03-18"), ("18/03/2024", "2024-03-18"),
                                      ("18-3-2024", "2024-03-18"), ("18.3.2024", "2024-03-18"),
                                      ("ngày 1O tháng 01 năm 2O24", "2024-01-10")])
def test_dates(text, iso):
    assert find_dates(fold(text))[0].iso == iso


def test_invalid_date_rejected():
    assert find_dates(fold("31/02/2024")) == []


@pytest.mark.parametrize("raw,val,rep", [("125/2024/HS-ST", "125/2024/HS-ST", 0), ("125 / 2024 / HS - ST", "125/2024/HS-ST", 0),
                                         ("01/2024/QĐ-CA", "01/2024/QĐ-CA", 0), ("01/2024/QÐ-CA", "01/2024/QĐ-CA", 0),
                                         ("l25/2O24/HS-5T", "125/2024/HS-ST", 3), ("307/QĐ-CA", "307/QĐ-CA", 0)])
def test_parse_number(raw, val, rep):
    n = parse_number(raw)
    assert n.value == val and n.repairs == rep


@pytest.mark.parametrize("header,issuer", [
    ("TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY THÀNH PHỐ HÀ NỘI", "Tòa án nhân dân quận Cầu Giấy"),
    ("TOÀ ÁN NHÂN DÂN HUYỆN LONG THÀNH TỈNH ĐỒNG NAI", "Tòa án nhân dân huyện Long Thành"),
    ("BỘ CÔNG AN TRẠI GIAM XUÂN LỘC", "Trại giam Xuân Lộc"),
    ("TÒA ÁN NHÂN DÂN CẤP CAO TẠI HÀ NỘI", "Tòa án nhân dân cấp cao tại Hà Nội"),
    ("TÒA ÁN NHÂN DÂN THÀNH PHỐ THỦ ĐỨC THÀNH PHỐ HỒ CHÍ MINH", "Tòa án nhân dân thành phố Thủ Đức"),
    ("CÔNG AN TỈNH ĐỒNG NAI", "Công an tỉnh Đồng Nai"),
])
def test_compose_issuer(header, issuer):
    assert compose_issuer(header, fold(header))[0] == issuer


def test_offence_catalogue():
    m = match_offence("Trộm cắp tài sản")
    assert m.offence.article == "173" and m.score == 1.0 and m.exact_diacritics
    m = match_offence("Trôm căp tài sán")
    assert m.offence.name == "Trộm cắp tài sản" and not m.exact_diacritics
    m = match_offence("Cố ý gây thương tích")  # short form in common use
    assert m.offence.article == "134" and m.offence.name == "Cố ý gây thương tích" and m.score < 1
    assert match_offence("Vi phạm quy định về tham gia giao thông đường bộ").offence.article == "260"


def test_title_name():
    assert title_name("NGUYỄN  VĂN AN") == "Nguyễn Văn An"


def test_a_number_whose_unit_ocr_turned_into_a_mark_flags_the_term_after_it():
    # '8 năm 6 tháng' read as '|8 " 6 tháng': the 6 months are not the whole term
    text = 'Đã bị Tòa án xử phạt |8 " 6 tháng tù về tội'
    (d,) = find_durations(fold(text), text)
    assert d.total_months == 6 and d.unit_lost_before
