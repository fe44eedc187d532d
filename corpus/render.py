"""Draw laid-out pages: to a raster image (Pillow) or to a born-digital PDF
with a real text layer (reportlab, embedded TrueType subsets)."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sohoa.corpus import fonts
from sohoa.corpus.layout import A4_H, A4_W, NoteOp, Page, PhotoOp, RuleOp, SealOp, SignOp, StampOp, TextOp
from sohoa.corpus.marks import note_image, photo_image, seal_image, signature_image, stamp_image


def multiply(base: np.ndarray, overlay: Image.Image, x: int, y: int) -> None:
    """Blend an RGBA overlay onto an RGB array in place, like ink on paper (multiply)."""
    ov = np.asarray(overlay, dtype=np.float32)
    h, w = ov.shape[:2]
    H, W = base.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    o = ov[y0 - y:y1 - y, x0 - x:x1 - x]
    a = o[..., 3:4] / 255.0
    region = base[y0:y1, x0:x1].astype(np.float32)
    mult = region * (o[..., :3] / 255.0)
    base[y0:y1, x0:x1] = (region * (1 - a) + mult * a).astype(np.uint8)


def render_raster(page: Page, dpi: int, ink: tuple[int, int, int] = (18, 18, 22)) -> np.ndarray:
    """The page as an RGB uint8 array at `dpi` (white paper, no degradation)."""
    k = dpi / 72.0
    W, H = int(round(A4_W * k)), int(round(A4_H * k))
    img = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(img)
    overlays = []
    for op in page.ops:
        if isinstance(op, TextOp):
            f = fonts.pil_font(op.family, op.style, max(6, int(round(op.size * k))))
            d.text((op.x * k, op.y * k), op.text, font=f, fill=ink, anchor="ls")
        elif isinstance(op, RuleOp):
            d.line([(op.x1 * k, op.y1 * k), (op.x2 * k, op.y2 * k)], fill=ink, width=max(1, int(op.width * k)))
        else:
            overlays.append(op)
    arr = np.array(img)
    for op in overlays:  # marks go on top of the text, as on paper
        if isinstance(op, PhotoOp):
            ph = photo_image(int(op.w * k), int(op.h * k), op.seed)
            arr[int(op.y * k):int(op.y * k) + ph.height, int(op.x * k):int(op.x * k) + ph.width] = np.asarray(ph)[
                : max(0, H - int(op.y * k)), : max(0, W - int(op.x * k))]
    for op in overlays:
        if isinstance(op, SignOp):
            im = signature_image(int(op.w * k), int(op.h * k), op.seed)
            multiply(arr, im, int(op.x * k), int(op.y * k))
        elif isinstance(op, NoteOp):
            im = note_image(op.text, int(op.w * k), int(op.h * k), op.seed)
            multiply(arr, im, int(op.x * k), int(op.y * k))
        elif isinstance(op, StampOp):
            im = stamp_image(op.lines, int(op.w * k), int(op.h * k), op.seed)
            multiply(arr, im, int(op.x * k), int(op.y * k))
    for op in overlays:
        if isinstance(op, SealOp):
            im = seal_image(op.ring, int(op.r * k), op.seed)
            multiply(arr, im, int(op.cx * k - im.width / 2), int(op.cy * k - im.height / 2))
    return arr


def render_pdf(pages: list[Page], path: Path | io.BytesIO, title: str = "", mark_dpi: int = 200) -> None:
    """A born-digital PDF: real text, vector rules, seal/signature/photo as images."""
    c = canvas.Canvas(path if isinstance(path, io.BytesIO) else str(path), pagesize=(A4_W, A4_H), invariant=1,
                      pageCompression=1)
    c.setTitle(title)
    c.setCreator("Microsoft Word")
    k = mark_dpi / 72.0
    for page in pages:
        for op in page.ops:
            if isinstance(op, TextOp):
                c.setFont(fonts.rl_name(op.family, op.style), op.size)
                c.setFillColorRGB(0, 0, 0)
                c.drawString(op.x, A4_H - op.y, op.text)
            elif isinstance(op, RuleOp):
                c.setLineWidth(op.width)
                c.line(op.x1, A4_H - op.y1, op.x2, A4_H - op.y2)
        for op in page.ops:
            if isinstance(op, PhotoOp):
                im = photo_image(int(op.w * k), int(op.h * k), op.seed)
                c.drawImage(ImageReader(im), op.x, A4_H - op.y - op.h, op.w, op.h)
            elif isinstance(op, SignOp):
                im = signature_image(int(op.w * k), int(op.h * k), op.seed)
                c.drawImage(ImageReader(im), op.x, A4_H - op.y - op.h, op.w, op.h, mask="auto")
            elif isinstance(op, NoteOp):
                im = note_image(op.text, int(op.w * k), int(op.h * k), op.seed)
                c.drawImage(ImageReader(im), op.x, A4_H - op.y - im.height / k, im.width / k, im.height / k, mask="auto")
            elif isinstance(op, StampOp):
                im = stamp_image(op.lines, int(op.w * k), int(op.h * k), op.seed)
                c.drawImage(ImageReader(im), op.x, A4_H - op.y - im.height / k, im.width / k, im.height / k, mask="auto")
            elif isinstance(op, SealOp):
                im = seal_image(op.ring, int(op.r * k), op.seed)
                sz = im.width / k
                c.drawImage(ImageReader(im), op.cx - sz / 2, A4_H - op.cy - sz / 2, sz, sz, mask="auto")
        c.showPage()
    c.save()
