"""A line of text drawn in the corpus's serif font and read by Tesseract: test material for the
second reads (tests/test_ocr_verify.py, test_extra_read_gates.py, test_letter_second_read.py)."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from sohoa.corpus import scans
from sohoa.pipeline.ocr import engine


def rendered_line(text: str, width: int) -> tuple[np.ndarray, list[engine.TessWord]]:
    """The line's grayscale image (40 px type on a 160 px high white band) and its words."""
    img = Image.new("L", (width, 160), 255)
    ImageDraw.Draw(img).text((40, 50), text, font=ImageFont.truetype(scans.SERIF, 40), fill=0)
    g = np.asarray(img)
    return g, engine.ocr(g, dpi=300, psm=6)
