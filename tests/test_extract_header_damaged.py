"""Header values the OCR words hold although a seal, initials or a stamp damaged them (issue 15):
a judgment's number and date restated in its title, its trial level named by its title and panel,
a slash read as the fraction slash, a place-date line with a word of it misread, 'Số' misread."""
from __future__ import annotations

from extract_documents import judgment_st
from extract_helpers import HIGH, decision_header, read_ocr, vals

TITLE = {"text": "BẢN ÁN 125/2024/HS-ST NGÀY 18/03/2024 VỀ TỘI TRỘM CẮP TÀI SẢN", "align": "center"}


def _with_title(items: list, title: dict) -> list:
    """`items` with `title` after the header's date line (the fifth item)."""
    return items[:5] + [title] + items[5:]


def test_the_titles_number_and_date_stand_in_for_a_garbled_header():
    """'Bản án số: áB/201/)HS-ST' and 'Ñgày5”12' under initials: the title line restates both."""
    ex = read_ocr(_with_title(judgment_st(number="áB/201/)HS-ST", date_hdr="Ñgày5”12"), TITLE))
    v = vals(ex)
    assert v["document_number"] == "125/2024/HS-ST" and v["issue_date"] == "2024-03-18"
    assert v["trial_level"] == "ST"


def test_the_title_agrees_with_a_clean_header():
    ex = read_ocr(_with_title(judgment_st(), TITLE))
    assert vals(ex)["document_number"] == "125/2024/HS-ST"
    assert ex.fields["document_number"].confidence >= HIGH and ex.fields["issue_date"].confidence >= HIGH


def test_trial_level_from_the_title_and_the_panel_without_the_number():
    items = _with_title(judgment_st(number="áB/201/)"), {"text": "BẢN ÁN HÌNH SỰ SƠ THẤM", "align": "center"})
    ex = read_ocr(items)
    assert "document_number" not in ex.fields
    assert vals(ex)["trial_level"] == "ST"


def test_title_and_panel_that_disagree_give_no_trial_level():
    items = _with_title(judgment_st(number="áB/201/)"), {"text": "BẢN ÁN HÌNH SỰ PHÚC THẨM", "align": "center"})
    assert "trial_level" not in read_ocr(items).fields


def test_the_fraction_slash_is_a_slash():
    """Tesseract reads the slash of some faces as U+2044, sometimes beside a slash too."""
    ex = read_ocr(judgment_st(number="125⁄2024/HS-ST", date_hdr="Ngày: 18⁄3/⁄2024"))
    assert vals(ex)["document_number"] == "125/2024/HS-ST" and vals(ex)["issue_date"] == "2024-03-18"


def _decision(number: str, place_date: str) -> list:
    return decision_header(["TÒA ÁN NHÂN DÂN", "TỈNH ĐẮK LẮK"], place_date, number,
                           ["QUYẾT ĐỊNH", "MIỄN CHẤP HÀNH ÁN PHẠT TÙ"]) + [
        "Căn cứ Điều 62 Bộ luật Hình sự; Điều 367 Bộ luật Tố tụng hình sự;",
        "Điều 1. Miễn chấp hành án phạt tù cho người bị kết án: Họ và tên: Nguyễn Văn An"]


def test_a_place_date_line_with_a_misread_word_still_gives_the_date_for_review():
    for line in ("Đắk Lắk, ngày 22 SE 12 năm 2016", "Đắk,Lắk;ngày 22 tháng 12 nữm 2016", "Đắk Lắk \"hgày 22 tháng|12 năm 2016"):
        ex = read_ocr(_decision("425/2016/QĐ-CA", line))
        assert vals(ex).get("issue_date") == "2016-12-22", line
        assert ex.fields["issue_date"].confidence < HIGH, line


def test_a_place_name_with_a_digit_for_a_letter():
    ex = read_ocr(_decision("425/2016/QĐ-CA", "Đắk Lắ1, ngày 22 tháng 12 năm 2016"))
    assert vals(ex).get("issue_date") == "2016-12-22"


def test_so_misread_before_a_colon():
    for line in ("2ố: 425/2016/QĐ-CA", ",bỐ: 425/2016/QĐ-CA"):
        ex = read_ocr(decision_header(["TÒA ÁN NHÂN DÂN", "TỈNH ĐẮK LẮK"], "Đắk Lắk, ngày 22 tháng 12 năm 2016", "",
                                      ["QUYẾT ĐỊNH", "MIỄN CHẤP HÀNH ÁN PHẠT TÙ"])[:2]
                      + [(line, "Đắk Lắk, ngày 22 tháng 12 năm 2016"), {"text": "QUYẾT ĐỊNH", "align": "center"},
                         "Điều 1. Miễn chấp hành án phạt tù cho người bị kết án: Họ và tên: Nguyễn Văn An"])
        assert vals(ex).get("document_number") == "425/2016/QĐ-CA", line


def test_a_damaged_ngay_before_a_numeric_date():
    ex = read_ocr(_decision("425/2016/QĐ-CA", "Đắk,Lắk, ngà) 22/12/2016"))
    assert vals(ex).get("issue_date") == "2016-12-22" and ex.fields["issue_date"].confidence < HIGH


def test_a_birth_date_is_no_damaged_place_date():
    """A certificate whose title was not read: the header runs on into 'sinh ngày ...'."""
    items = decision_header(["TÒA ÁN NHÂN DÂN", "THÀNH PHỐ HẠ LONG"], "Hạ long, ngày 20/2 00", "211/2023/GCN",
                            ["GIÃẤY CHỨNG NHẬN"]) + ["Anh: Trần Văn Bình, sinh ngày 04/05/1996"]
    assert vals(read_ocr(items)).get("issue_date") != "1996-05-04"


def test_a_place_name_run_on_into_the_number_line_is_cut_off():
    items = decision_header(["TÒA ÁN NHÂN DÂN", "QUẬN NINH KIỀU"], None,
                            "203/2017/QĐ-CA_ Ninh Kiều, ngày 9Â¿lJ 09 năm 2017", ["QUYẾT ĐỊNH", "THI HÀNH ÁN PHẠT TÙ"])
    assert vals(read_ocr(items)).get("document_number") == "203/2017/QĐ-CA"


def test_junk_before_the_number_line_and_a_semicolon_after_ngay():
    ex = read_ocr(judgment_st(number="138/2020/HS-ST", date_hdr="Ngày; 7/4/2020"))
    assert vals(ex)["issue_date"] == "2020-04-07"
    items = judgment_st()
    items[3] = ("pc \\ Bản án số: 138/2020/HS-ST", None)
    assert vals(read_ocr(items))["document_number"] == "138/2020/HS-ST"


def test_the_titles_number_with_its_ngay_damaged():
    title = {"text": "BẢN ÁN 125/2024/HS-ST NGẢ'", "align": "center"}
    ex = read_ocr(_with_title(judgment_st(number="áB/201/)HS-ST", date_hdr="Ñgày5”12"), title))
    assert vals(ex)["document_number"] == "125/2024/HS-ST"


def test_one_misread_letter_of_a_known_symbol_is_repaired_for_review():
    ex = read_ocr(judgment_st(number="125/2024/HB-ST"))
    assert vals(ex)["document_number"] == "125/2024/HS-ST" and ex.fields["document_number"].confidence < HIGH


def test_so_before_a_figure_in_a_body_name_stays_lower_case():
    ex = read_ocr(decision_header(["BỘ CÔNG AN", "TRẠI GIAM SỐ 6"], "Nghệ An, ngày 13 tháng 7 năm 2017", "867/GCN",
                                  ["GIẤY CHỨNG NHẬN", "CHẤP HÀNH XONG ÁN PHẠT TÙ"]) + ["Chứng nhận: Anh Lê Văn An"])
    assert vals(ex)["issuer"] == "Trại giam số 6"
