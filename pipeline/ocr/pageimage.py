"""The page image that goes into the output PDF (and stays in workdir for the verifier).

Encoding rules, chosen for size without needless loss:
- an original JPEG that needed no geometric correction: its bytes as they are (DCT);
- bilevel (mode 1): PNG, 1 bit per pixel (Flate in the PDF);
- grayscale: PNG when it compresses well (clean pages), else JPEG q=88;
- colour (a seal, coloured ink): JPEG q=85 -- a colour A4 page at 300 dpi is a
  few MB, not the 15-25 MB a lossless noisy scan would be;
- RGB with no visible colour is stored as grayscale.

A PNG written here is embedded in the PDF without re-encoding: its IDAT data
is a zlib stream with PNG row predictors, which PDF's FlateDecode reads with
/DecodeParms << /Predictor 15 >>.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from sohoa.pipeline.ocr.preprocess import is_colour

JPEG_Q_COLOUR = 85
JPEG_Q_GRAY = 88
PNG_MAX_BYTES_PER_PIXEL = 0.25  # above this a grayscale page goes JPEG


@dataclass(frozen=True)
class PageImage:
    path: Path
    width: int  # pixels
    height: int
    dpi: tuple[float, float]
    filter: str  # "DCT" | "Flate"
    colorspace: str  # "/DeviceGray" | "/DeviceRGB"
    bits: int  # 1 or 8

    @property
    def size_pt(self) -> tuple[float, float]:
        return self.width * 72.0 / self.dpi[0], self.height * 72.0 / self.dpi[1]


def keep_jpeg(path: Path, dpi: tuple[float, float], stem: Path) -> PageImage:
    """Use an original JPEG file as it is (copied next to the other page images)."""
    out = stem.with_suffix(".jpg")
    if out.resolve() != path.resolve():
        out.write_bytes(path.read_bytes())
    with Image.open(out) as im:
        mode, (w, h) = im.mode, im.size
    return PageImage(out, w, h, dpi, "DCT", "/DeviceGray" if mode == "L" else "/DeviceRGB", 8)


def encode(img: np.ndarray | Image.Image, dpi: tuple[float, float], stem: Path) -> PageImage:
    """Write the page image to stem.png or stem.jpg, following the rules above."""
    im = img if isinstance(img, Image.Image) else Image.fromarray(img)
    save_dpi = (round(dpi[0], 3), round(dpi[1], 3))
    if im.mode == "RGB" and not is_colour(np.asarray(im)):
        im = im.convert("L")
    if im.mode == "1":
        out = stem.with_suffix(".png")
        im.save(out, "PNG", dpi=save_dpi, optimize=False)
        return PageImage(out, im.width, im.height, dpi, "Flate", "/DeviceGray", 1)
    if im.mode == "L":
        a = np.asarray(im)
        band = a[: max(1, a.shape[0] // 8)]
        est = len(zlib.compress(band.tobytes(), 1)) / band.size
        if est * 0.8 <= PNG_MAX_BYTES_PER_PIXEL:  # level 6 does ~20% better than level 1
            out = stem.with_suffix(".png")
            im.save(out, "PNG", dpi=save_dpi, compress_level=6)
            return PageImage(out, im.width, im.height, dpi, "Flate", "/DeviceGray", 8)
        out = stem.with_suffix(".jpg")
        im.save(out, "JPEG", quality=JPEG_Q_GRAY, dpi=tuple(int(round(d)) for d in dpi), optimize=True)
        return PageImage(out, im.width, im.height, dpi, "DCT", "/DeviceGray", 8)
    im = im.convert("RGB")
    out = stem.with_suffix(".jpg")
    im.save(out, "JPEG", quality=JPEG_Q_COLOUR, dpi=tuple(int(round(d)) for d in dpi), optimize=True)
    return PageImage(out, im.width, im.height, dpi, "DCT", "/DeviceRGB", 8)


def png_idat(path: Path) -> tuple[bytes, dict]:
    """The zlib data of a PNG written by `encode` and its IHDR fields."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path.name}: not a PNG")
    pos, idat, ihdr = 8, [], {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if ctype == b"IHDR":
            w, h, bits, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            ihdr = {"width": w, "height": h, "bits": bits, "colour": colour, "interlace": interlace}
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
        pos += 12 + length
    if not ihdr or ihdr["interlace"] or ihdr["colour"] not in (0, 2):
        raise ValueError(f"{path.name}: unsupported PNG layout for direct embedding")
    return b"".join(idat), ihdr


def embed(pdf, page_image: PageImage):
    """An image XObject in `pdf` for the page image, its data embedded as encoded."""
    import pikepdf

    if page_image.filter == "DCT":
        data = page_image.path.read_bytes()
        obj = pikepdf.Stream(pdf, data)
        obj["/Filter"] = pikepdf.Name("/DCTDecode")
        bits, cs = 8, page_image.colorspace
    else:
        data, ihdr = png_idat(page_image.path)
        colors = 3 if ihdr["colour"] == 2 else 1
        bits = ihdr["bits"]
        cs = "/DeviceRGB" if colors == 3 else "/DeviceGray"
        obj = pikepdf.Stream(pdf, data)
        obj["/Filter"] = pikepdf.Name("/FlateDecode")
        obj["/DecodeParms"] = pikepdf.Dictionary(
            Predictor=15, Colors=colors, BitsPerComponent=bits, Columns=page_image.width
        )
    obj["/Type"] = pikepdf.Name("/XObject")
    obj["/Subtype"] = pikepdf.Name("/Image")
    obj["/Width"] = page_image.width
    obj["/Height"] = page_image.height
    obj["/ColorSpace"] = pikepdf.Name(cs)
    obj["/BitsPerComponent"] = bits
    return obj
