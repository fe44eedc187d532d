"""Write one document's pages in a scan-batch container format."""
from __future__ import annotations

import io
from pathlib import Path

import cv2
import img2pdf
import numpy as np
from PIL import Image

FORMATS = ("pdf_image", "pdf_text", "tiff", "image_dir")


def to_mode(arr: np.ndarray, color: str) -> Image.Image:
    """RGB array -> PIL image in the scan's colour mode (rgb, gray, bilevel)."""
    if color == "rgb":
        return Image.fromarray(arr, "RGB")
    gray = cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
    if color == "gray":
        return Image.fromarray(gray, "L")
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return Image.fromarray(bw, "L").convert("1", dither=Image.Dither.NONE)


def jpeg_bytes(im: Image.Image, dpi: int, quality: int) -> bytes:
    buf = io.BytesIO()
    if im.mode == "1":
        im = im.convert("L")
    im.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=False)
    return buf.getvalue()


def write_image_pdf(path: Path, images: list[Image.Image], dpi: int, quality: int) -> None:
    """An image-only PDF, as a scanner writes it: one JPEG per page, no text layer."""
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    data = img2pdf.convert([jpeg_bytes(im, dpi, quality) for im in images], layout_fun=layout,
                           creationdate=None, moddate=None, producer="Scanner", nodate=True,
                           engine=img2pdf.Engine.internal)
    path.write_bytes(data)


def write_tiff(path: Path, images: list[Image.Image], dpi: int, quality: int) -> str:
    """A multi-page TIFF; returns the compression used."""
    first = images[0]
    if first.mode == "1":
        comp = "group4"
        first.save(path, "TIFF", save_all=True, append_images=images[1:], compression=comp, dpi=(dpi, dpi))
    else:
        comp = "jpeg"
        first.save(path, "TIFF", save_all=True, append_images=images[1:], compression=comp, quality=quality,
                   dpi=(dpi, dpi))
    return comp


def write_image_dir(d: Path, images: list[Image.Image], dpi: int, fmt: str, naming: str, quality: int) -> list[str]:
    """A folder of page images named so that file-name order is page order."""
    d.mkdir(parents=True, exist_ok=True)
    ext = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif"}[fmt]
    names = []
    for i, im in enumerate(images, 1):
        name = naming.format(i=i) + ext
        p = d / name
        if fmt == "png":
            im.save(p, "PNG", dpi=(dpi, dpi), compress_level=1)
        elif fmt == "jpeg":
            (im.convert("L") if im.mode == "1" else im).save(p, "JPEG", quality=quality, dpi=(dpi, dpi))
        else:
            comp = "group4" if im.mode == "1" else "tiff_lzw"
            im.save(p, "TIFF", compression=comp, dpi=(dpi, dpi))
        names.append(name)
    return names
