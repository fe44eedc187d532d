"""Page images out of a source document.

`plan_pages` runs once per document (cheap: it reads PDF structure and image
headers, and copies out the JPEG page images of image-only PDFs as their bytes; any
other page image is decoded by `load_page`, in the page's task); `load_page`
decodes one page and runs in a worker thread.

- pdf_image: when a page is exactly one image drawn over the whole page, the
  image is taken out with pikepdf as it is stored (JPEG bytes stay JPEG, dpi
  from the image's pixel size over the page size). Any other page (vector
  parts, several images, rotation, an image in a form XObject) is rasterized
  with pdftoppm at settings.ocr_dpi.
- tiff: every frame is a page. image: the one file. image_dir: the files in
  order (a multi-frame TIFF in a folder gives all its frames).
"""
from __future__ import annotations

import shutil
import subprocess
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps
from sohoa.core.errors import RejectedInput
from sohoa.core.types import SourceDocument
from sohoa.pipeline.ocr.pageimage import source_qtables

if TYPE_CHECKING:
    import pikepdf

MIN_DPI, MAX_DPI = 50.0, 2400.0


@dataclass(frozen=True)
class PageSource:
    number: int  # 1-based page number in the document
    path: Path  # image file, or the PDF for pdftoppm
    frame: int = 0  # frame in a multi-frame image file
    dpi: tuple[float, float] | None = None  # known from PDF geometry
    rasterize: bool = False  # path is a PDF page to render with pdftoppm
    label: str = ""  # where the page came from, for error messages
    # a PDF's lossless page image, (object number, generation): decoded by load_page in the
    # page's own task, not copied out as PNG by plan_pages (a decode and an encode per page in
    # the one `begin` of the document: 0.41 CPU s a page on the issue 18 bench)
    pdf_object: tuple[int, int] | None = None


@dataclass
class LoadedPage:
    image: Image.Image  # mode 1, L or RGB; upright per EXIF
    dpi: tuple[float, float]
    jpeg_path: Path | None  # original JPEG whose bytes can be embedded as they are
    qtables: dict | None = None  # the source's JPEG quantisation tables (a re-encode never goes above them)


def _reject(doc: SourceDocument, reason: str) -> RejectedInput:
    return RejectedInput(doc.relpath, reason)


def _frames(path: Path) -> int:
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def plan_pages(doc: SourceDocument, settings, workdir: Path) -> list[PageSource]:
    if not doc.files:
        raise _reject(doc, "document has no files")
    if doc.kind == "pdf_image":
        return _plan_pdf(doc, settings, workdir)
    pages: list[PageSource] = []
    for f in doc.files:
        try:
            n = _frames(f.path) if doc.kind in ("tiff", "image_dir") else 1
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise _reject(doc, f"{f.relpath}: not a readable image ({_short(exc)})") from None
        if doc.kind == "tiff" and n < 1:
            raise _reject(doc, f"{f.relpath}: TIFF has no pages")
        for i in range(n):
            label = f.relpath if n == 1 else f"{f.relpath} frame {i + 1}"
            pages.append(PageSource(len(pages) + 1, f.path, i, label=label))
    if len(pages) > settings.max_pages:
        raise _reject(doc, f"{len(pages)} pages exceed the limit of {settings.max_pages}")
    return pages


def _short(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return (msg[0] if msg else type(exc).__name__)[:200]


# --- PDF --------------------------------------------------------------------

def _single_image(page: pikepdf.Page) -> tuple[str, pikepdf.Stream] | None:
    """(name, image) when the page draws exactly one image over the whole page, else None."""
    import pikepdf

    if int(page.obj.get("/Rotate", 0)) % 360 != 0:
        return None
    res = page.obj.get("/Resources")
    xobjs = res.get("/XObject") if res is not None else None
    if xobjs is None or len(xobjs.keys()) != 1:
        return None
    name = next(iter(xobjs.keys()))
    xo = xobjs[name]
    if not isinstance(xo, pikepdf.Stream):  # an image XObject is a stream
        return None
    if xo.get("/Subtype") != "/Image" or "/SMask" in xo or "/Mask" in xo or xo.get("/ImageMask", False):
        return None
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    drawn = None
    try:
        ops = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return None
    for ins in ops:
        operands, o = ins.operands, str(ins.operator)
        if o == "q":
            stack.append(ctm[:])
        elif o == "Q":
            ctm = stack.pop() if stack else ctm
        elif o == "cm":
            a, b, c, d, e, f = (float(x) for x in operands)
            m0 = ctm
            ctm = [
                a * m0[0] + b * m0[2], a * m0[1] + b * m0[3],
                c * m0[0] + d * m0[2], c * m0[1] + d * m0[3],
                e * m0[0] + f * m0[2] + m0[4], e * m0[1] + f * m0[3] + m0[5],
            ]
        elif o == "Do":
            if drawn is not None or str(operands[0]) != name:
                return None
            drawn = ctm[:]
        elif o in ("gs", "w", "J", "j", "M", "d", "ri", "i"):
            continue  # graphics state only: nothing drawn
        else:
            return None  # text, paths, inline images, shading: not a plain scan page
    if drawn is None:
        return None
    a, b, c, d, e, f = drawn
    if abs(b) > 1e-6 or abs(c) > 1e-6 or a <= 0 or d <= 0:
        return None
    mb = [float(v) for v in page.mediabox]
    pw, ph = mb[2] - mb[0], mb[3] - mb[1]
    tol = 0.01 * max(pw, ph)
    if abs(e - mb[0]) > tol or abs(f - mb[1]) > tol or abs(a - pw) > tol or abs(d - ph) > tol:
        return None
    return str(name), xo


def _plan_pdf(doc: SourceDocument, settings, workdir: Path) -> list[PageSource]:
    import pikepdf
    from pikepdf import PdfImage

    src = doc.files[0].path
    outdir = workdir / "src"
    outdir.mkdir(parents=True, exist_ok=True)
    pages: list[PageSource] = []
    try:
        fh = open(src, "rb")  # a file object: pikepdf takes no path whose name is not UTF-8
        pdf = pikepdf.open(fh)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise _reject(doc, f"cannot open PDF ({_short(exc)})") from None
    with fh, pdf:
        n = len(pdf.pages)
        if n == 0:
            raise _reject(doc, "PDF has no pages")
        if n > settings.max_pages:
            raise _reject(doc, f"{n} pages exceed the limit of {settings.max_pages}")
        for i, page in enumerate(pdf.pages, 1):
            found = None
            try:
                found = _single_image(page)
            except (pikepdf.PdfError, ValueError, KeyError, TypeError):
                found = None
            if found is None:
                if not _page_has_image(page):
                    raise _reject(doc, f"page {i}: no image on the page (not a scan)")
                pages.append(PageSource(i, src, rasterize=True, dpi=(settings.ocr_dpi,) * 2, label=f"page {i}"))
                continue
            _, xo = found
            try:
                img = PdfImage(xo)
                w, h = int(img.width), int(img.height)
                if w * h > settings.max_page_pixels:
                    raise _reject(doc, f"page {i}: image {w}x{h} exceeds the page pixel limit")
                mb = [float(v) for v in page.mediabox]
                dpi = (w * 72.0 / (mb[2] - mb[0]), h * 72.0 / (mb[3] - mb[1]))
                stem = outdir / f"p{i:04d}"
                if img.filters == ["/DCTDecode"] and "/Decode" not in xo:
                    out = stem.with_suffix(".jpg")
                    out.write_bytes(xo.read_raw_bytes())
                else:
                    pages.append(PageSource(i, src, dpi=dpi, label=f"page {i}", pdf_object=xo.objgen))
                    continue
                pages.append(PageSource(i, out, dpi=dpi, label=f"page {i}"))
            except RejectedInput:
                raise
            except Exception:  # pikepdf cannot hand the image over as is: render the page
                pages.append(PageSource(i, src, rasterize=True, dpi=(settings.ocr_dpi,) * 2, label=f"page {i}"))
    return pages


def _page_has_image(page) -> bool:
    try:
        if "/XObject" in page.obj.get("/Resources", {}) or page.get_images():
            return True
        return b"BI" in page.obj.Contents.read_bytes() if "/Contents" in page.obj else False
    except Exception:
        return True  # unsure: let pdftoppm try


def _rasterize(src: PageSource, workdir: Path) -> Path:
    exe = shutil.which("pdftoppm")
    if not exe:
        from sohoa.core.errors import FatalError

        raise FatalError("pdftoppm not found (install poppler-utils)")
    dpi = int(round(src.dpi[0])) if src.dpi else 300
    out = workdir / "src" / f"r{src.number:04d}"
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [exe, "-r", str(dpi), "-f", str(src.number), "-l", str(src.number), "-singlefile", str(src.path), str(out)],
        capture_output=True,
        timeout=300,
    )
    ppm = out.with_suffix(".ppm")
    if proc.returncode != 0 or not ppm.exists():
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValueError("pdftoppm failed: " + (err[-1] if err else f"exit {proc.returncode}"))
    return ppm


# --- decoding one page (worker thread) -------------------------------------

def load_page(doc: SourceDocument, src: PageSource, settings, workdir: Path) -> LoadedPage:
    where = f"page {src.number}" + (f" ({src.label})" if src.label and src.label != f"page {src.number}" else "")
    try:
        pdf_object = getattr(src, "pdf_object", None)  # a plan pickled before the field existed has none
        pdf_im = None
        if pdf_object:
            try:
                pdf_im = _pdf_image(src.path, pdf_object)
            except Exception:  # pikepdf cannot hand the image over: render the page, as plan_pages did
                src = replace(src, pdf_object=None, rasterize=True, dpi=(float(settings.ocr_dpi),) * 2)
        path = _rasterize(src, workdir) if src.rasterize else src.path
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im: Image.Image = pdf_im if pdf_im is not None else Image.open(path)
            if src.frame:
                im.seek(src.frame)
            w, h = im.size
            if w * h > settings.max_page_pixels:
                raise _reject(doc, f"{where}: image {w}x{h} exceeds the page pixel limit")
            fmt = im.format
            im.load()
            qtables = source_qtables(im)
    except RejectedInput:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, subprocess.TimeoutExpired) as exc:
        raise _reject(doc, f"{where}: cannot decode image data ({_short(exc)})") from None
    if w < 16 or h < 16:
        raise _reject(doc, f"{where}: image {w}x{h} is too small to be a page")

    dpi = src.dpi or _dpi_of(im, settings)
    exif_rot = False
    try:
        orient = im.getexif().get(0x0112, 1)
    except Exception:
        orient = 1
    if orient not in (1, None):
        im = ImageOps.exif_transpose(im)
        exif_rot = True
        if orient in (5, 6, 7, 8):
            dpi = (dpi[1], dpi[0])
    jpeg_path = path if (fmt == "JPEG" and not exif_rot and im.mode in ("L", "RGB") and not src.frame) else None
    im = _normalize_mode(im)
    return LoadedPage(im, dpi, jpeg_path, qtables)


def _pdf_image(path: Path, objgen: tuple[int, int]) -> Image.Image:
    """A PDF's image XObject decoded (the checks on its size were made by plan_pages)."""
    import pikepdf
    from pikepdf import PdfImage

    with open(path, "rb") as fh, pikepdf.open(fh) as pdf:
        xo = pdf.get_object(objgen)
        if not isinstance(xo, pikepdf.Stream):
            raise ValueError("the page image is not a stream")
        im = PdfImage(xo).as_pil_image()
        im.load()
        return im


def _dpi_of(im: Image.Image, settings) -> tuple[float, float]:
    d = im.info.get("dpi")
    if d is None:
        return (float(settings.ocr_dpi),) * 2
    try:
        x, y = float(d[0]), float(d[1])
    except (TypeError, ValueError, IndexError):
        return (float(settings.ocr_dpi),) * 2
    if not (MIN_DPI <= x <= MAX_DPI and MIN_DPI <= y <= MAX_DPI):
        return (float(settings.ocr_dpi),) * 2
    return x, y


def _normalize_mode(im: Image.Image) -> Image.Image:
    if im.mode in ("1", "L", "RGB"):
        return im
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(bg, rgba).convert("RGB")
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        import numpy as np

        a = np.asarray(im, dtype=np.float64)
        hi = a.max() or 1.0
        return Image.fromarray((a * (255.0 / (65535.0 if hi > 255 else 255.0))).clip(0, 255).astype("uint8"), "L")
    if im.mode == "P":
        pal = im.convert("RGB")
        return pal
    return im.convert("RGB")
