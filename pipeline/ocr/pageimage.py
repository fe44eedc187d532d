"""The page image that goes into the output PDF (and stays in workdir for the verifier).

The archive keeps the scan as it came: its own pixels, in the orientation it was
scanned, and where the scan is a JPEG its own DCT coefficients (its bytes, with
their Huffman coding optimised losslessly by jpegtran when that is installed). Turning a page upright and
deskewing it is done by the page's drawing matrix (`placement`), not by
resampling the pixels: the page looks the same as a resampled one, the text layer
fits it, and no generation of JPEG loss (nor 14-33 % of bytes at a higher
quality) is spent on a correction a viewer applies for free.

Encoding rules for pixels that are not a JPEG to pass through:
- bilevel (mode 1): CCITT G4 (lossless; a fax-like A4 page is tens of KB);
- RGB with no colour on the paper (`has_colour`: an area, not a share of the
  page, so a blue signature counts): stored as grayscale -- a colour JPEG
  losslessly, by dropping its chroma (`lossless_jpeg`); a seal or coloured ink
  keeps the page in colour;
- grayscale and colour: JPEG at the source's own quantisation tables when
  the pixels came from a JPEG (a TIFF's JPEG frames, an EXIF-rotated JPEG):
  never above the scan's quality; from a lossless source at JPEG_Q_LOSSLESS,
  or PNG when that is smaller (clean, synthetic pages); or at a `quality`
  chosen by storage_policy, which decides what the OCR stage passes through
  and what it re-encodes (a budget: the quality ceiling, an SSIM threshold, a floor).

A PNG written here is embedded in the PDF without re-encoding: its IDAT data
is a zlib stream with PNG row predictors, which PDF's FlateDecode reads with
/DecodeParms << /Predictor 15 >>. A G4 page is a one-strip TIFF whose strip
is the CCITTFaxDecode stream.
"""
from __future__ import annotations

import io
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

JPEG_Q_LOSSLESS = 80  # a lossless grey/colour scan (PNG, LZW TIFF, a rendered PDF page) as JPEG
JPEG_Q_UNKNOWN = 80  # a JPEG source whose tables cannot be read
# a scanner's JPEG rarely has optimised Huffman tables: recoding them saves 8-23 % on the
# bench's scans and leaves every coefficient as it is
OPTIMIZE_HUFFMAN = True
COLOUR_DPI = 50.0  # colour is measured at this resolution
COLOUR_SPREAD = 28  # channel spread (after the paper's tint is balanced) that counts as colour
COLOUR_MIN_MM2 = 4.0  # this much coloured paper keeps a page in colour
PNG_BAND_ROWS = 8  # the PNG size is estimated from one band in this many


@dataclass(frozen=True)
class PageImage:
    path: Path
    width: int  # pixels, as stored (the scan's orientation)
    height: int
    dpi: tuple[float, float]  # of the stored pixels
    filter: str  # "DCT" | "Flate" | "CCITT"
    colorspace: str  # "/DeviceGray" | "/DeviceRGB"
    bits: int  # 1 or 8
    turn: int = 0  # clockwise quarter turn the page applies when drawing the image (0/90/180/270)
    skew: float = 0.0  # degrees the OCR deskewed by: the page draws the image turned back by as much
    quality: int | None = None  # the JPEG quality sohoa chose when it re-encoded (storage_policy); else None

    @property
    def size_pt(self) -> tuple[float, float]:
        """The page: the image's size in points, width and height swapped by a quarter turn."""
        w, h = self.width * 72.0 / self.dpi[0], self.height * 72.0 / self.dpi[1]
        return (h, w) if self.turn % 180 else (w, h)


def placement(p: PageImage) -> tuple[float, float, float, float, float, float]:
    """The `cm` matrix that draws the stored image (PDF's unit square) on its page, turned and
    deskewed as the OCR saw it: the same geometry as preprocess.rotate_quarter (clockwise) and
    rotate_small(-skew) (about the centre, same size), so the text layer's boxes fit."""
    ws, hs = p.width * 72.0 / p.dpi[0], p.height * 72.0 / p.dpi[1]

    def rot(deg: float) -> np.ndarray:  # counter-clockwise as seen, PDF row-vector convention
        t = math.radians(deg)
        return np.array([[math.cos(t), math.sin(t), 0.0], [-math.sin(t), math.cos(t), 0.0], [0.0, 0.0, 1.0]])

    def move(x: float, y: float) -> np.ndarray:
        return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [x, y, 1.0]])

    m = np.diag([ws, hs, 1.0]) @ rot(-(p.turn % 360))  # a clockwise turn is a negative angle
    corners = np.array([[x, y, 1.0] for x in (0.0, 1.0) for y in (0.0, 1.0)]) @ m
    m = m @ move(-corners[:, 0].min(), -corners[:, 1].min())
    if p.skew:
        w, h = p.size_pt
        m = m @ move(-w / 2, -h / 2) @ rot(-p.skew) @ move(w / 2, h / 2)
    return (m[0, 0], m[0, 1], m[1, 0], m[1, 1], m[2, 0], m[2, 1])


def jpeg_quality(qtables: dict | None) -> int | None:
    """The IJG quality (1-100) whose standard luminance table is closest to table 0: how a
    scanner's JPEG compares with libjpeg's scale (sum of the table, order-independent)."""
    if not qtables or 0 not in qtables:
        return None
    target = sum(qtables[0])
    best, err = None, float("inf")
    for q in range(1, 101):
        scale = 5000 / q if q < 50 else 200 - 2 * q
        s = sum(min(255, max(1, (b * scale + 50) // 100)) for b in _IJG_LUMA)
        if abs(s - target) < err:
            best, err = q, abs(s - target)
    return best


_IJG_LUMA = (16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
             14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
             49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99)


def dqt_tables(data: bytes) -> dict[int, list[int]]:
    """Quantisation tables (natural order) of a JPEG stream or a TIFF's JPEGTables (its DQT segments)."""
    tables: dict[int, list[int]] = {}
    pos = 2 if data[:2] == b"\xff\xd8" else 0
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan: no tables after this
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker == 0xDB:
            seg, i = data[pos + 4 : pos + 2 + length], 0
            while i < len(seg):
                precision, tid = seg[i] >> 4, seg[i] & 0x0F
                n = 128 if precision else 64
                body = seg[i + 1 : i + 1 + n]
                if len(body) < n or tid > 3:  # truncated or not a table JPEG knows: ignore it
                    break
                vals = list(struct.unpack(">64H", body)) if precision else list(body)
                tables[tid] = [vals[_ZIGZAG.index(k)] for k in range(64)]  # zigzag -> natural
                i += 1 + n
        pos += 2 + length
    return tables


_ZIGZAG = (0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,
           7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31,
           39, 46, 53, 60, 61, 54, 47, 55, 62, 63)


def source_qtables(im: Image.Image) -> dict[int, list[int]] | None:
    """The JPEG quantisation tables an opened image was coded with (a JPEG file, a JPEG TIFF frame)."""
    try:
        q = getattr(im, "quantization", None)
        if q:
            tables = {int(k): list(v) for k, v in q.items()}
        else:
            tags = getattr(im, "tag_v2", None)
            if tags is None or tags.get(259) not in (6, 7) or not tags.get(347):  # JPEG TIFF, JPEGTables
                return None
            tables = dqt_tables(bytes(tags[347]))
    except (TypeError, ValueError, KeyError, struct.error):  # a damaged header: no tables to keep
        return None
    ok = tables and 0 in tables and all(k in range(4) and len(v) == 64 and all(1 <= x <= 65535 for x in v)
                                        for k, v in tables.items())
    return tables if ok else None


def keep_jpeg(path: Path, dpi: tuple[float, float], stem: Path, *, turn: int = 0, skew: float = 0.0,
              pixels: np.ndarray | None = None) -> PageImage:
    """Use an original JPEG's coefficients as they are (a file next to the other page images):
    its bytes with optimised Huffman tables (`lossless_jpeg`), or as they are.

    pixels: its decoded RGB pixels, when the caller holds them: a colour scan with no
    colour on the paper then keeps only its luma, losslessly (`lossless_jpeg(grey=True)`)."""
    out = stem.with_suffix(".jpg")
    with Image.open(path) as im:
        mode, (w, h) = im.mode, im.size
    data = None
    if mode == "RGB" and pixels is not None and not has_colour(pixels, dpi):
        data = lossless_jpeg(path, grey=True)
        mode = "L" if data is not None else mode
    if data is None and OPTIMIZE_HUFFMAN:
        data = lossless_jpeg(path, pixels=pixels)
    if data is not None:
        out.write_bytes(data)
    elif out.resolve() != path.resolve():
        out.write_bytes(path.read_bytes())
    return PageImage(out, w, h, dpi, "DCT", "/DeviceGray" if mode == "L" else "/DeviceRGB", 8, turn, skew)


def has_colour(rgb: np.ndarray, dpi: tuple[float, float] | float = 300.0) -> bool:
    """True when the paper carries colour: a seal, a signature in blue ink, a coloured stamp.

    Measured at ~50 dpi (area averaging removes JPEG colour fringes and sensor noise),
    after balancing the paper's own tint to grey (yellowed paper is not colour): the
    area whose channels spread more than COLOUR_SPREAD, against COLOUR_MIN_MM2. A
    3 cm ballpoint signature is ~40 mm2; preprocess.is_colour (a share of the page)
    misses it."""
    if rgb.ndim != 3:
        return False
    import cv2

    d = float(dpi[0] if isinstance(dpi, tuple) else dpi) or 300.0
    f = min(1.0, COLOUR_DPI / d)
    small = cv2.resize(rgb[..., :3], (max(1, round(rgb.shape[1] * f)), max(1, round(rgb.shape[0] * f))),
                       interpolation=cv2.INTER_AREA).astype(np.float32)
    lum = small.mean(axis=2)
    paper = small[lum >= np.percentile(lum, 60)]
    tint = np.median(paper, axis=0) if len(paper) else np.full(3, 255.0, np.float32)
    small *= (tint.mean() / np.maximum(tint, 1.0))[None, None, :]
    spread = small.max(axis=2) - small.min(axis=2)
    mm2_per_pixel = (25.4 / (d * f)) ** 2
    return float((spread > COLOUR_SPREAD).sum()) * mm2_per_pixel >= COLOUR_MIN_MM2


def lossless_jpeg(path: Path, *, grey: bool = False, pixels: np.ndarray | None = None) -> bytes | None:
    """The JPEG with its Huffman tables optimised (jpegtran -optimize) and, with `grey`,
    its chroma dropped (-grayscale): the quantised DCT coefficients are kept as they
    are -- no re-encode, the decoded pixels (with `grey`: the stored luma) are the
    source's, bit for bit, and that is checked (against `pixels`, the source decoded, when the
    caller holds them: one decode fewer). None when jpegtran is missing or fails,
    the pixels differ (a JPEG stored as RGB, not YCbCr, for `grey`) or nothing is saved."""
    import shutil
    import subprocess

    exe = shutil.which("jpegtran")
    if exe is None:
        return None
    # the scanner's markers (EXIF, ICC) stay with the pixels they describe; a grey copy
    # keeps none of them (an RGB profile would not describe it)
    cmd = [exe, *(["-grayscale"] if grey else []), "-optimize", "-copy", "none" if grey else "all", str(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=60)
        if proc.returncode != 0 or not proc.stdout or len(proc.stdout) >= path.stat().st_size:
            return None
        with Image.open(io.BytesIO(proc.stdout)) as new, Image.open(path) as src:
            if grey:
                src.draft("YCbCr", src.size)  # the stored luma as it is, not luma recomputed from RGB
                if new.mode != "L" or src.mode != "YCbCr":
                    return None
                same = np.array_equal(np.asarray(new), np.asarray(src.getchannel(0)))
            elif pixels is not None and pixels.shape[:2] == (src.size[1], src.size[0]):
                same = new.mode == src.mode and np.array_equal(np.asarray(new), pixels)
            else:
                same = new.mode == src.mode and np.array_equal(np.asarray(new), np.asarray(src))
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return proc.stdout if same else None


def encode(img: np.ndarray | Image.Image, dpi: tuple[float, float], stem: Path, *,
           qtables: dict | None = None, turn: int = 0, skew: float = 0.0, quality: int | None = None) -> PageImage:
    """Write the page image to stem.tif (G4), stem.png or stem.jpg, following the rules above.
    qtables: the source JPEG's quantisation tables (never encode above the scan's quality);
    quality: a JPEG quality chosen by storage_policy instead (colour coded 4:2:0), or PNG when smaller."""
    im = img if isinstance(img, Image.Image) else Image.fromarray(img)
    save_dpi = (round(dpi[0], 3), round(dpi[1], 3))
    if im.mode not in ("1", "L", "RGB"):
        im = im.convert("RGB")
    if im.mode == "RGB" and not has_colour(np.asarray(im), dpi):
        im = im.convert("L")
        if qtables:
            qtables = {0: qtables[0]}
    if im.mode == "1":
        out = stem.with_suffix(".tif")
        # paper as 0 bits: CCITT's white runs (its short codes) are then the paper
        inv = Image.fromarray(~np.asarray(im)).convert("1")
        inv.save(out, "TIFF", compression="group4", dpi=save_dpi, tiffinfo={278: im.height})  # one strip
        return PageImage(out, im.width, im.height, dpi, "CCITT", "/DeviceGray", 1, turn, skew)
    colorspace = "/DeviceGray" if im.mode == "L" else "/DeviceRGB"
    jpeg = io.BytesIO()
    jdpi = tuple(int(round(d)) for d in dpi)
    if quality is not None:  # chosen by storage_policy (never above the source's: its caller sees to that)
        qtables = None
        im.save(jpeg, "JPEG", quality=int(quality), dpi=jdpi, optimize=True,
                **({"subsampling": "4:2:0"} if im.mode == "RGB" else {}))
    else:
        try:  # the source's own tables: the same quantisation, never a higher quality
            if not qtables:
                raise ValueError("no source tables")
            im.save(jpeg, "JPEG", qtables=qtables, dpi=jdpi, optimize=True)
        except (ValueError, TypeError, OSError):  # none, or tables libjpeg will not take (16-bit, odd ids)
            jpeg = io.BytesIO()
            q = min(jpeg_quality(qtables) or JPEG_Q_UNKNOWN, JPEG_Q_LOSSLESS) if qtables else JPEG_Q_LOSSLESS
            im.save(jpeg, "JPEG", quality=q, dpi=jdpi, optimize=True)
    if qtables is None and _png_estimate(im) < jpeg.tell():  # a clean page: lossless is smaller
        out = stem.with_suffix(".png")
        im.save(out, "PNG", dpi=save_dpi, compress_level=6)
        if out.stat().st_size < jpeg.tell():
            return PageImage(out, im.width, im.height, dpi, "Flate", colorspace, 8, turn, skew)
        out.unlink()
    out = stem.with_suffix(".jpg")
    out.write_bytes(jpeg.getvalue())
    return PageImage(out, im.width, im.height, dpi, "DCT", colorspace, 8, turn, skew, quality)


def _png_estimate(im: Image.Image) -> float:
    """Bytes of the image as PNG, from one band of rows at zlib level 1 (level 6 does ~20 % better)."""
    a = np.asarray(im)
    band = a[: max(1, a.shape[0] // PNG_BAND_ROWS)]
    return len(zlib.compress(band.tobytes(), 1)) * 0.8 * a.shape[0] / band.shape[0]


def g4_strip(path: Path) -> bytes:
    """The CCITT G4 data of a one-strip TIFF written by `encode`."""
    with Image.open(path) as im:
        tags = getattr(im, "tag_v2", None)
        if tags is None:
            raise ValueError(f"{path.name}: not a TIFF")
        offsets, counts = tags.get(273), tags.get(279)
        if tags.get(259) != 4 or not offsets or len(offsets) != 1 or tags.get(266, 1) != 1:
            raise ValueError(f"{path.name}: not a one-strip G4 TIFF")
    data = path.read_bytes()
    return data[offsets[0] : offsets[0] + counts[0]]


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
    elif page_image.filter == "CCITT":
        obj = pikepdf.Stream(pdf, g4_strip(page_image.path))
        obj["/Filter"] = pikepdf.Name("/CCITTFaxDecode")
        # K -1: G4; BlackIs1 false: the paper (coded as white) decodes to 1, white in DeviceGray
        obj["/DecodeParms"] = pikepdf.Dictionary(K=-1, Columns=page_image.width, Rows=page_image.height,
                                                 BlackIs1=False)
        bits, cs = 1, "/DeviceGray"
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
