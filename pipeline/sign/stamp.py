"""The human-visible conversion marker on page 1 (Decree 30/2020 App. I).

Black 10 pt serif text, top right: "SAO Y", the converting organisation and
the conversion time (ISO 8601, +07:00). Placed where it covers no text: the
page's word boxes (OCR or text layer) and the scan's dark pixels are tested;
when the top right is occupied the next free margin spot is used, and when
none is free, the spot that covers least. Drawn as real text (an embedded
DejaVuSerif subset, Type0/Identity-H with a ToUnicode map, so it is
searchable and has every Vietnamese glyph), never as an image.

Subsetting is cached per character set, and so is the finished font object
(``_FONT_TEMPLATES``), so a batch pays for them once.
"""
from __future__ import annotations

import hashlib
import io
import os
import threading
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name
from sohoa.core.ink import ink_mask

FONT_SIZE = 10.0
LEADING = 11.5
MARGIN = 14.0  # pt from the top and right edges of the visible page (~5 mm)
MAX_WIDTH_FRACTION = 0.42  # wrap the organisation name beyond this share of the width

_FONT_CANDIDATES = (
    os.environ.get("SOHOA_MARKER_FONT", ""),
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/TTF/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)
# Always in the subset, so a new time or number never needs a new subset.
_BASE_CHARS = frozenset("0123456789-:+T SAOY ")


def font_path() -> Path:
    for cand in _FONT_CANDIDATES:
        if cand and Path(cand).is_file():
            return Path(cand)
    raise FileNotFoundError("no serif TrueType font with Vietnamese glyphs found "
                            "(install fonts-dejavu-core or set SOHOA_MARKER_FONT)")


@dataclass(frozen=True)
class _Subset:
    data: bytes
    name: str  # with subset tag
    gids: dict[str, int]  # char -> glyph id in the subset
    widths: dict[int, float]  # gid -> width in 1/1000 em
    ascent: float
    descent: float
    cap_height: float
    bbox: tuple[float, float, float, float]
    italic_angle: float


@lru_cache(maxsize=64)
def _subset(chars: frozenset[str], path: str) -> _Subset:
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont

    opts = ftsubset.Options()
    opts.hinting = False
    opts.layout_features = []
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "FFTM"]
    font = TTFont(path, lazy=False)
    sub = ftsubset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    font = TTFont(io.BytesIO(data))
    upem = font["head"].unitsPerEm
    scale = 1000.0 / upem
    cmap = font.getBestCmap()
    gids = {chr(cp): font.getGlyphID(g) for cp, g in cmap.items()}
    hmtx = font["hmtx"]
    order = font.getGlyphOrder()
    widths = {i: round(hmtx[g][0] * scale, 1) for i, g in enumerate(order)}
    head, hhea = font["head"], font["hhea"]
    os2 = font["OS/2"] if "OS/2" in font else None
    cap = getattr(os2, "sCapHeight", 0) if os2 else 0
    base = font["name"].getDebugName(6) or Path(path).stem
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
    return _Subset(
        data=data, name=f"{tag}+{base}", gids=gids, widths=widths,
        ascent=round(hhea.ascent * scale), descent=round(hhea.descent * scale),
        cap_height=round((cap or hhea.ascent * 0.7) * scale),
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        italic_angle=float(font["post"].italicAngle),
    )


def _tounicode(gids: dict[str, int]) -> bytes:
    pairs = sorted((gid, ch) for ch, gid in gids.items())
    seen: dict[int, str] = {}
    for gid, ch in pairs:
        seen.setdefault(gid, ch)
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange"]
    items = list(seen.items())
    for i in range(0, len(items), 100):
        chunk = items[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        for gid, ch in chunk:
            lines.append(f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


# Per-process cache: subset name -> a one-font PDF holding the finished Type0 font,
# its streams already compressed. Copying it into a document takes microseconds;
# building the objects and compressing the font program again took ~2 ms a document.
# qpdf objects are not thread-safe, so the templates are only touched under the lock.
_FONT_TEMPLATES: dict[str, pikepdf.Pdf] = {}
_FONT_TEMPLATES_LOCK = threading.Lock()
_FONT_TEMPLATES_MAX = 64  # as many as _subset keeps


def _font_object(pdf: pikepdf.Pdf, sub: _Subset) -> pikepdf.Object:
    """The marker font (Type0/Identity-H, embedded subset, ToUnicode) as an object of pdf."""
    with _FONT_TEMPLATES_LOCK:
        tpl = _FONT_TEMPLATES.get(sub.name)
        if tpl is None:
            if len(_FONT_TEMPLATES) >= _FONT_TEMPLATES_MAX:  # oldest out; not closed, as a
                _FONT_TEMPLATES.pop(next(iter(_FONT_TEMPLATES)))  # copy may still share its data
            tpl = _FONT_TEMPLATES[sub.name] = _font_template(sub)
        return pdf.copy_foreign(tpl.Root.SohoaFont)


def _font_template(sub: _Subset) -> pikepdf.Pdf:
    tpl = pikepdf.new()
    tpl.Root.SohoaFont = _build_font(tpl, sub)
    return tpl


def _flate_stream(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream:
    stream = pdf.make_stream(b"")
    stream.write(zlib.compress(data, 9), filter=Name.FlateDecode)
    return stream


def _build_font(pdf: pikepdf.Pdf, sub: _Subset) -> pikepdf.Object:
    file2 = _flate_stream(pdf, sub.data)
    file2.Length1 = len(sub.data)
    descriptor = Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/" + sub.name), Flags=34,
        FontBBox=Array(list(sub.bbox)), ItalicAngle=sub.italic_angle, Ascent=sub.ascent,
        Descent=sub.descent, CapHeight=sub.cap_height, StemV=80, FontFile2=file2,
    )
    w_items: list[Any] = []  # CID widths: gid [width] ...
    for gid in sorted(sub.widths):
        w_items.extend([gid, Array([sub.widths[gid]])])
    w = Array(w_items)
    cidfont = Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + sub.name),
        CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                 Ordering=pikepdf.String("Identity"), Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor), DW=1000, W=w,
        CIDToGIDMap=Name.Identity,
    )
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + sub.name),
        Encoding=Name("/Identity-H"), DescendantFonts=Array([pdf.make_indirect(cidfont)]),
        ToUnicode=_flate_stream(pdf, _tounicode(sub.gids)),
    ))


def _width(sub: _Subset, text: str) -> float:
    return sum(sub.widths.get(sub.gids.get(c, 0), 0.0) for c in text) * FONT_SIZE / 1000.0


def _wrap(sub: _Subset, text: str, max_width: float) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for word in words:
        trial = f"{cur} {word}".strip()
        if cur and _width(sub, trial) > max_width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines or [""]


def _rotation_matrix(rotate: int, w: float, h: float, x0: float, y0: float) -> list[float]:
    """Maps visual (as displayed) coordinates to user space for /Rotate."""
    if rotate == 90:
        return [0, 1, -1, 0, x0 + w, y0]
    if rotate == 180:
        return [-1, 0, 0, -1, x0 + w, y0 + h]
    if rotate == 270:
        return [0, -1, 1, 0, x0, y0 + h]
    return [1, 0, 0, 1, x0, y0]


Box = tuple[float, float, float, float]


def _ink_mask(pdf: pikepdf.Pdf, page: pikepdf.Page, vw: float, vh: float, rotate: int) -> Any:
    """A coarse dark-pixel mask of page 1's scan (None if it is not one full-page image).

    JPEG scans are decoded at 1/8 scale (libjpeg DCT scaling): a few ms."""
    from pikepdf import PdfImage

    if rotate != 0:
        return None
    try:
        images = list(page.get_images().values())
    except Exception:
        return None
    if len(images) != 1:
        return None
    if not isinstance(images[0], pikepdf.Stream):  # an image XObject is a stream
        return None
    try:
        pim = PdfImage(images[0])
        if abs(pim.width / max(pim.height, 1) - vw / vh) > 0.03 * (vw / vh):
            return None  # not a full-page scan: placement from words only
        img = pim.as_pil_image()
        if getattr(img, "format", "") == "JPEG":
            img.draft("L", (max(pim.width // 8, 1), max(pim.height // 8, 1)))
        return ink_mask(img.convert("L"))
    except Exception:
        return None


GRID = 2.0  # pt: the occupancy grid the free spots are searched on
PAD = 3.0  # pt kept clear around the marker
INK_FREE = 0.002  # share of dark pixels under a box still taken as blank paper (speckle)
MARGINS = (MARGIN, 4.0)  # pt from the page edges: the usual one, then closer into the margin
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6)  # 10 pt down to 6 pt when no spot fits the full size
BAND_PAD = 4.0  # pt above and below the marker in a band added to the page


@dataclass(frozen=True)
class Occupancy:
    """Summed-area tables of page 1 on a GRID-pt grid (visual coordinates, origin
    bottom-left): word cells (any overlap counts) and ink share."""
    vw: float
    vh: float
    words: Any  # (rows+1, cols+1) cumulative counts of cells under a word box
    ink: Any  # (rows+1, cols+1) cumulative dark-pixel shares

    def window(self, bw: float, bh: float, pad: float = PAD) -> tuple[Any, Any, int, int]:
        """For every grid position of a bw x bh box (+pad): words covered, ink share."""
        import numpy as np

        cw = int(np.ceil((bw + 2 * pad) / GRID))
        ch = int(np.ceil((bh + 2 * pad) / GRID))
        rows, cols = self.words.shape[0] - 1, self.words.shape[1] - 1
        if ch > rows or cw > cols:
            return np.zeros((0, 0)), np.zeros((0, 0)), cw, ch

        def sums(t: Any) -> Any:
            return t[ch:, cw:] - t[:-ch, cw:] - t[ch:, :-cw] + t[:-ch, :-cw]

        return sums(self.words), sums(self.ink) / float(cw * ch), cw, ch


def occupancy(vw: float, vh: float, words: list[Box], mask: Any = None) -> Occupancy:
    import cv2
    import numpy as np

    cols, rows = max(int(np.ceil(vw / GRID)), 1), max(int(np.ceil(vh / GRID)), 1)
    grid = np.zeros((rows, cols), dtype=np.int32)
    for x0, y0, x1, y1 in words:
        c0, c1 = max(int(x0 // GRID), 0), min(int(np.ceil(x1 / GRID)), cols)
        r0, r1 = max(int(y0 // GRID), 0), min(int(np.ceil(y1 / GRID)), rows)
        if c1 > c0 and r1 > r0:
            grid[r0:r1, c0:c1] = 1
    ink = np.zeros((rows, cols), dtype=np.float64)
    if mask is not None and np.asarray(mask).size:
        # the mask's rows run top to bottom: flip to the grid's bottom-left origin
        share = cv2.resize(np.asarray(mask, dtype=np.float32), (cols, rows),
                           interpolation=cv2.INTER_AREA)
        ink = share[::-1].astype(np.float64)

    def table(a: Any) -> Any:
        t = np.zeros((rows + 1, cols + 1), dtype=a.dtype)
        t[1:, 1:] = a.cumsum(0).cumsum(1)
        return t

    return Occupancy(vw, vh, table(grid), table(ink))


def choose_position(vw: float, vh: float, bw: float, bh: float, words: list[Box],
                    mask: Any = None, occ: Occupancy | None = None,
                    margin: float = MARGIN) -> Box | None:
    """A bw x bh box (visual coordinates, origin bottom-left) that covers no word and
    no ink, `margin` pt or more from the edges: top right when free (Decree 30/2020
    App. I), else top left, top centre, bottom right/left/centre, else the free spot
    nearest the top right corner. None when there is no free spot."""
    import numpy as np

    occ = occ or occupancy(vw, vh, words, mask)
    wsum, isum, cw, ch = occ.window(bw, bh)
    if wsum.size == 0:
        return None
    free = (wsum == 0) & (isum <= INK_FREE)
    # grid position (r, c): the padded box's bottom-left cell; box = cell + PAD
    rows, cols = free.shape
    lo_c, lo_r = int(np.ceil((margin - PAD) / GRID)), int(np.ceil((margin - PAD) / GRID))
    hi_c = int((vw - margin - bw - PAD) // GRID)
    hi_r = int((vh - margin - bh - PAD) // GRID)
    if hi_c < lo_c or hi_r < lo_r:
        return None

    def box(r: int, c: int) -> Box:
        return (c * GRID + PAD, r * GRID + PAD, c * GRID + PAD + bw, r * GRID + PAD + bh)

    mid_c = min(max(int(round(((vw - bw) / 2 - PAD) / GRID)), lo_c), hi_c)
    for r, c in ((hi_r, hi_c), (hi_r, lo_c), (hi_r, mid_c), (lo_r, hi_c), (lo_r, lo_c), (lo_r, mid_c)):
        if 0 <= r < rows and 0 <= c < cols and free[r, c]:
            return box(r, c)
    zone = free[lo_r:min(hi_r, rows - 1) + 1, lo_c:min(hi_c, cols - 1) + 1]
    found = np.argwhere(zone)
    if not len(found):
        return None
    # nearest the top right corner
    dist = (hi_r - (found[:, 0] + lo_r)) ** 2 + (hi_c - (found[:, 1] + lo_c)) ** 2
    r, c = found[int(np.argmin(dist))]
    return box(int(r) + lo_r, int(c) + lo_c)


@dataclass(frozen=True)
class Placement:
    box: Box  # visual coordinates, origin bottom-left, of the page as it will be
    scale: float  # of the 10 pt font size
    band: float  # pt added above the page's visual top (0: the page kept its size)


def place_marker(vw: float, vh: float, bw: float, bh: float, words: list[Box],
                 mask: Any = None) -> Placement:
    """Where the marker goes without covering printed text: the usual margin at full
    size, then closer to the edge, then smaller (down to 6 pt); when no spot on the
    page is free, in a band added above the page (the page grows; nothing is covered)."""
    occ = occupancy(vw, vh, words, mask)
    for scale in SCALES:
        for margin in MARGINS:
            box = choose_position(vw, vh, bw * scale, bh * scale, words, mask, occ, margin)
            if box is not None:
                return Placement(box, scale, 0.0)
    band = bh + 2 * BAND_PAD
    top = vh + band - BAND_PAD
    return Placement((vw - MARGIN - bw, top - bh, vw - MARGIN, top), 1.0, band)


def _grow_top(page: pikepdf.Page, band: float, rotate: int) -> None:
    """Add band pt above the page's visual top (MediaBox, and CropBox when set)."""
    # the user-space edge that is the visual top, and which way is outwards
    edge, outward = {0: (3, 1), 90: (0, -1), 180: (1, -1), 270: (2, 1)}[rotate]
    for key in ("/MediaBox", "/CropBox"):
        if key not in page.obj:
            continue
        raw = [float(v) for v in page.obj[key]]
        b = [min(raw[0], raw[2]), min(raw[1], raw[3]), max(raw[0], raw[2]), max(raw[1], raw[3])]
        b[edge] += outward * band
        page.obj[key] = Array(b)


def draw_marker(pdf: pikepdf.Pdf, lines: list[str],
                words: list[Box] | None = None, ink: Any = None) -> tuple[float, float, float, float]:
    """Draw the marker lines, right-aligned, on page 1 where they cover no text or ink.

    words: boxes of page 1's words (x0, top, x1, bottom) in points from the top-left of
    the page as displayed (the OCR/text-layer convention, pipeline.types.BBox).
    ink: page 1's mask from sohoa.core.ink.ink_mask when the caller holds the pixels
    (the OCR stage); else page 1's scan is decoded for it.
    Returns the marker's box in visual page coordinates (x0, y0, x1, y1), origin
    bottom-left, for tests and placement checks.
    """
    page = pdf.pages[0]
    lines = [unicodedata.normalize("NFC", ln) for ln in lines]
    chars = frozenset("".join(lines)) | _BASE_CHARS
    sub = _subset(chars, str(font_path()))
    box = [float(v) for v in (page.obj.get("/CropBox") or page.mediabox)]
    x0, y0, x1, y1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
    w, h = x1 - x0, y1 - y0
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    vw, vh = (h, w) if rotate in (90, 270) else (w, h)
    max_width = max(vw * MAX_WIDTH_FRACTION, 120.0)
    out: list[str] = []
    for i, ln in enumerate(lines):
        out.extend(_wrap(sub, ln, max_width) if i == 1 else [ln])
    widest = max(_width(sub, ln) for ln in out)
    asc, desc = sub.ascent * FONT_SIZE / 1000.0, sub.descent * FONT_SIZE / 1000.0
    height = asc + (len(out) - 1) * LEADING - desc
    vis_words = [(a, vh - d, c, vh - b) for a, b, c, d in (words or [])]
    mask = ink if ink is not None and rotate == 0 else _ink_mask(pdf, page, vw, vh, rotate)
    place = place_marker(vw, vh, widest, height, vis_words, mask)
    if place.band:
        _grow_top(page, place.band, rotate)
        box = [float(v) for v in (page.obj.get("/CropBox") or page.mediabox)]
        x0, y0 = min(box[0], box[2]), min(box[1], box[3])
        w, h = max(box[0], box[2]) - x0, max(box[1], box[3]) - y0
    (_, by0, bx1, by1), k = place.box, place.scale
    font = _font_object(pdf, sub)
    fname = page.add_resource(font, Name.Font, prefix="SohoaMk")
    right, top = bx1, by1
    ops = ["Q", "q", "{} {} {} {} {} {} cm".format(*_rotation_matrix(rotate, w, h, x0, y0)),
           "BT", "0 g", "0 Tr", f"{fname} {FONT_SIZE * k:g} Tf"]
    for i, ln in enumerate(out):
        tw = _width(sub, ln) * k
        gl = "".join(f"{sub.gids.get(c, 0):04X}" for c in ln)
        y = top - (asc + i * LEADING) * k
        ops.append(f"1 0 0 1 {right - tw:.2f} {y:.2f} Tm <{gl}> Tj")
    ops += ["ET", "Q"]
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream("\n".join(ops).encode("ascii")), prepend=False)
    return (right - widest * k, by0, right, top)
