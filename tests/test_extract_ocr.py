"""End-to-end on a real OCR result: render a short judgment (Pillow, DejaVu Serif, 300 dpi),
OCR it with Tesseract 'vie' (image_to_data) into PageText, extract."""
from __future__ import annotations

import shutil
import unicodedata

import pytest
from extract_helpers import assert_fields, vals
from sohoa.core.types import PageText, Word
from sohoa.pipeline.extract import extract

DPI = 300
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
FONT_B = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"

LINES = [
    ("L", "TÒA ÁN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("L", "HUYỆN ĐÔNG ANH", "Độc lập - Tự do - Hạnh phúc"),
    ("L", "THÀNH PHỐ HÀ NỘI", ""),
    ("L", "Số: 57/2024/HS-ST", "Hà Nội, ngày 21 tháng 5 năm 2024"),
    ("C", "BẢN ÁN HÌNH SỰ SƠ THẨM", ""),
    ("P", "Ngày 21 tháng 5 năm 2024, tại trụ sở Tòa án nhân dân huyện Đông Anh xét xử", ""),
    ("P", "sơ thẩm công khai vụ án hình sự đối với bị cáo:", ""),
    ("P", "Bị cáo: Phạm Văn Hùng, sinh ngày 12 tháng 8 năm 1992 tại Hà Nội;", ""),
    ("P", "Căn cước công dân số: 001092004567; nơi cư trú: xã Uy Nỗ, huyện Đông Anh.", ""),
    ("P", "Viện kiểm sát đề nghị xử phạt bị cáo từ 24 đến 30 tháng tù.", ""),
    ("C", "QUYẾT ĐỊNH:", ""),
    ("P", "Căn cứ khoản 1 Điều 174; điểm s khoản 1 Điều 51 Bộ luật Hình sự.", ""),
    ("P", "Tuyên bố bị cáo Phạm Văn Hùng phạm tội \"Lừa đảo chiếm đoạt tài sản\".", ""),
    ("P", "Xử phạt bị cáo Phạm Văn Hùng 02 (hai) năm tù.", ""),
    ("P", "Bị cáo phải chịu 200.000 đồng án phí hình sự sơ thẩm.", ""),
]


def render_and_ocr() -> list[PageText]:
    import pytesseract
    from PIL import Image, ImageDraw, ImageFont

    w, h = int(8.27 * DPI), int(11.69 * DPI)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 38)
    bold = ImageFont.truetype(FONT_B, 38)
    y = 180
    for kind, left, right in LINES:
        if kind == "L":
            tw = d.textlength(left, font=bold)
            d.text((180 + (900 - tw) / 2, y), left, font=bold, fill=0)
            if right:
                tw = d.textlength(right, font=bold if right.isupper() else font)
                d.text((1150 + (1200 - tw) / 2, y), right, font=bold if right.isupper() else font, fill=0)
        elif kind == "C":
            tw = d.textlength(left, font=bold)
            y += 30
            d.text(((w - tw) / 2, y), left, font=bold, fill=0)
        else:
            d.text((180, y), left, font=font, fill=0)
        y += 70
    data = pytesseract.image_to_data(img, lang="vie", output_type=pytesseract.Output.DICT)
    k = 72.0 / DPI
    words = []
    line_ids: dict[tuple, int] = {}
    for i, txt in enumerate(data["text"]):
        txt = (txt or "").strip()
        conf = float(data["conf"][i])
        if not txt or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        line_ids.setdefault(key, len(line_ids))
        x, t, ww, hh = data["left"][i], data["top"][i], data["width"][i], data["height"][i]
        words.append(Word(unicodedata.normalize("NFC", txt), conf / 100.0, (x * k, t * k, (x + ww) * k, (t + hh) * k),
                          line_ids[key], data["block_num"][i]))
    return [PageText(1, w * k, h * k, words, source="ocr")]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_rendered_judgment_ocr():
    pages = render_and_ocr()
    ex = extract(pages)
    print(pages[0].text)
    print({k: (f.value, f.confidence) for k, f in ex.fields.items()}, ex.warnings)
    assert ex.doc_type == "judgment"
    assert_fields(ex, {
        "document_number": "57/2024/HS-ST", "trial_level": "ST", "issue_date": "2024-05-21",
        "person_name": "Phạm Văn Hùng", "personal_id": "001092004567", "birth_date": "1992-08-12",
        "charges": ["Lừa đảo chiếm đoạt tài sản"], "principal_penalty": "imprisonment", "penalty_months": 24,
    }, absent=("fine_vnd",))
    assert "174" in vals(ex)["penal_code_articles"]
    # anything at high confidence must be right
    expected = {"issuer": "Tòa án nhân dân huyện Đông Anh"}
    for k, want in expected.items():
        if k in ex.fields and ex.fields[k].confidence >= 0.9:
            assert ex.fields[k].value == want
