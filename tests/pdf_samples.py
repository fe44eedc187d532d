"""Small PDFs the signing and API tests sign: a born-digital one with Vietnamese
text (DejaVu Serif) and an image-only "scan"."""
from __future__ import annotations

import io

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def text_pdf(pages: list[list[tuple[float, float, str]]] | None = None) -> bytes:
    """One page per list of (x, y, text) lines; the default is a two-page judgment header."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if pages is None:
        pages = [[(72, 760, "TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY"), (320, 760, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                  (72, 700, "Bản án số: 125/2024/HS-ST")],
                 [(72, 700, "Trang 2")]]
    if "DejaVuSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSerif", DEJAVU))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for lines in pages:
        c.setFont("DejaVuSerif", 12)
        for x, y, text in lines:
            c.drawString(x, y, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def image_pdf(pages: int = 2, ink_top_right: bool = False, text_layer: bool = False) -> bytes:
    """A scan: one JPEG per page with bars of 'text'; optionally a header block top
    right, and an invisible OCR-style text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for p in range(pages):
        img = Image.new("L", (620, 877), 250)
        d = ImageDraw.Draw(img)
        for i in range(30):
            d.rectangle([60, 90 + i * 24, 400 + (i * 37 + p) % 150, 98 + i * 24], fill=20)
        if ink_top_right and p == 0:
            for i in range(4):  # a header block printed in the top right corner
                d.rectangle([330, 12 + i * 14, 600, 20 + i * 14], fill=10)
        jb = io.BytesIO()
        img.save(jb, "JPEG", quality=70)
        c.drawImage(ImageReader(io.BytesIO(jb.getvalue())), 0, 0, width=A4[0], height=A4[1])
        if text_layer:
            t = c.beginText(60, 760)
            t.setTextRenderMode(3)  # invisible, as an OCR text layer
            t.setFont("Helvetica", 10)
            t.textLine(f"BAN AN SO 125/2024/HS-ST trang {p + 1}")
            c.drawText(t)
        c.showPage()
    c.save()
    return buf.getvalue()
