"""Intake: find the documents of a scan batch and refuse bad input early.

A document is a PDF, a multi-page TIFF, a single page image, or a folder of
page images (contract section 1). The type is decided by the file's bytes,
never by its name. Every other entry is a `Rejection` with a specific
reason; the batch goes on.
"""
from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pikepdf
from PIL import Image
from sohoa.core.config import Settings
from sohoa.core.errors import FatalError, RejectedInput
from sohoa.core.types import SourceDocument, SourceFile

BATCH_META = "batch.json"
_IMAGE_FORMATS = {"PNG", "JPEG", "TIFF"}
# A page this large at 300 dpi (A0 is 9933 x 14043) is a bomb, not a scan.
_MIN_TEXT_CHARS_PER_PAGE = 20


@dataclass(frozen=True)
class Rejection:
    relpath: str
    reason: str


@dataclass(frozen=True)
class BatchInfo:
    batch_id: str
    unit: str | None
    operator: str | None
    scanned_at: str | None
    scanner: str | None


def sniff(head: bytes) -> str | None:
    """The file type by its first bytes: 'pdf', 'tiff', 'png', 'jpeg' or None."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def describe_unknown(head: bytes) -> str:
    if not head:
        return "empty file (0 bytes)"
    try:
        head.decode("utf-8")
        return "not a scanned document: plain text, not PDF/TIFF/PNG/JPEG"
    except UnicodeDecodeError:
        return "not a scanned document: unrecognised binary content, not PDF/TIFF/PNG/JPEG"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def natural_key(name: str) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def read_batch_info(batch_dir: Path) -> BatchInfo:
    meta_path = batch_dir / BATCH_META
    meta: dict = {}
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise FatalError(f"{meta_path}: unreadable batch.json ({exc})") from None
        if not isinstance(meta, dict):
            raise FatalError(f"{meta_path}: batch.json must be a JSON object")
    batch_id = str(meta.get("batch_id") or batch_dir.resolve().name)
    if not re.fullmatch(r"[\w.\-]{1,128}", batch_id):
        raise FatalError(f"{meta_path}: batch_id {batch_id!r} has characters other than letters, digits, . _ -")

    def opt(key: str) -> str | None:
        v = meta.get(key)
        return str(v)[:500] if v is not None else None

    return BatchInfo(batch_id, opt("unit"), opt("operator"), opt("scanned_at"), opt("scanner"))


class Intake:
    """Turns batch entries into SourceDocuments or Rejections."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def scan(self, batch_dir: Path) -> Iterator[SourceDocument | Rejection]:
        if not batch_dir.is_dir():
            raise FatalError(f"{batch_dir}: no such batch directory")
        root = batch_dir.resolve()
        for entry in sorted(batch_dir.iterdir(), key=lambda p: natural_key(p.name)):
            if entry.name == BATCH_META and entry.is_file():
                continue
            relpath = entry.name
            try:
                yield self.inspect(entry, relpath, root)
            except RejectedInput as rej:
                yield Rejection(rej.source, rej.reason)

    # -- one entry -------------------------------------------------------
    def inspect(self, path: Path, relpath: str, root: Path) -> SourceDocument:
        if path.is_symlink():
            raise RejectedInput(relpath, "symbolic link: not followed (batch entries must be real files)")
        if path.is_dir():
            return self._image_dir(path, relpath, root)
        if not path.is_file():
            raise RejectedInput(relpath, "not a regular file")
        src = self._source_file(path, relpath)
        with path.open("rb") as fh:
            head = fh.read(2048)
        kind = sniff(head)
        if kind is None:
            raise RejectedInput(relpath, describe_unknown(head))
        if kind == "pdf":
            return self._pdf(src)
        pages = self._check_image(src)
        return SourceDocument(relpath, "tiff" if pages > 1 or kind == "tiff" else "image", [src], pages)

    def _source_file(self, path: Path, relpath: str) -> SourceFile:
        size = path.stat().st_size
        if size == 0:
            raise RejectedInput(relpath, "empty file (0 bytes)")
        if size > self.settings.max_file_bytes:
            raise RejectedInput(
                relpath, f"file too large: {size} bytes over the limit of {self.settings.max_file_bytes}"
            )
        return SourceFile(path=path.resolve(), relpath=relpath, sha256=sha256_file(path), size=size)

    def _check_image(self, src: SourceFile) -> int:
        """Header checks of an image file; returns its frame count."""
        limit = self.settings.max_page_pixels
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(src.path) as img:
                    if img.format not in _IMAGE_FORMATS:
                        raise RejectedInput(src.relpath, f"unsupported image format {img.format}")
                    frames = getattr(img, "n_frames", 1)
                    if frames > self.settings.max_pages:
                        raise RejectedInput(
                            src.relpath, f"too many pages: {frames} over the limit of {self.settings.max_pages}"
                        )
                    for i in range(frames):
                        img.seek(i)
                        w, h = img.size
                        if w * h > limit:
                            raise RejectedInput(
                                src.relpath,
                                f"image too large (decompression bomb?): page {i + 1} is {w}x{h} pixels",
                            )
                        if w < 16 or h < 16:
                            raise RejectedInput(src.relpath, f"page {i + 1} is only {w}x{h} pixels")
                    return frames
        except RejectedInput:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            m = re.search(r"\((\d+) pixels\)", str(exc))
            size = f"declares {int(m.group(1)):,} pixels" if m else str(exc)
            raise RejectedInput(src.relpath, f"image too large (decompression bomb): {size}") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise RejectedInput(src.relpath, f"corrupt or truncated image: {exc}") from None

    def _pdf(self, src: SourceFile) -> SourceDocument:
        rel = src.relpath
        with src.path.open("rb") as fh:
            fh.seek(max(0, src.size - 2048))
            tail = fh.read()
        if b"%%EOF" not in tail:
            raise RejectedInput(rel, "truncated PDF: no %%EOF end marker")
        try:
            pdf = pikepdf.open(src.path)
        except pikepdf.PasswordError:
            raise RejectedInput(rel, "encrypted PDF: password required") from None
        except pikepdf.PdfError as exc:
            raise RejectedInput(rel, f"corrupt PDF: {exc}") from None
        with pdf:
            if pdf.is_encrypted:
                raise RejectedInput(rel, "encrypted PDF: encryption must be removed before archiving")
            try:
                n = len(pdf.pages)
            except pikepdf.PdfError as exc:
                raise RejectedInput(rel, f"corrupt PDF page tree: {exc}") from None
            if n == 0:
                raise RejectedInput(rel, "PDF has no pages")
            if n > self.settings.max_pages:
                raise RejectedInput(rel, f"too many pages: {n} over the limit of {self.settings.max_pages}")
            active = _active_content(pdf, self.settings.max_pdf_objects)
            if active:
                raise RejectedInput(rel, f"PDF with active content ({active}): not accepted from a scanning station")
            dpi = self.settings.ocr_dpi
            for i, page in enumerate(pdf.pages, start=1):
                try:
                    box = [float(v) for v in page.mediabox]
                except (pikepdf.PdfError, TypeError, ValueError) as exc:
                    raise RejectedInput(rel, f"page {i} has no valid MediaBox: {exc}") from None
                w_px = abs(box[2] - box[0]) * dpi / 72
                h_px = abs(box[3] - box[1]) * dpi / 72
                if w_px * h_px > self.settings.max_page_pixels:
                    raise RejectedInput(rel, f"page {i} too large to rasterize: {box[2]-box[0]:.0f}x{box[3]-box[1]:.0f} pt")
        return SourceDocument(rel, "pdf_text" if _has_text_layer(src.path, n) else "pdf_image", [src], n)

    def _image_dir(self, path: Path, relpath: str, root: Path) -> SourceDocument:
        entries = sorted(path.iterdir(), key=lambda p: natural_key(p.name))
        files: list[SourceFile] = []
        for e in entries:
            rel = f"{relpath}/{e.name}"
            if e.name.startswith("."):
                continue  # scanner/OS droppings (.DS_Store); not pages
            if e.is_symlink() or not e.is_file():
                raise RejectedInput(relpath, f"{rel}: not a page image file (folders hold page images only)")
            src = self._source_file(e, rel)
            with e.open("rb") as fh:
                kind = sniff(fh.read(16))
            if kind not in ("png", "jpeg", "tiff"):
                raise RejectedInput(relpath, f"{rel}: not a PNG/JPEG/TIFF page image")
            try:
                frames = self._check_image(src)
            except RejectedInput as rej:
                raise RejectedInput(relpath, f"{rel}: {rej.reason}") from None
            if frames != 1:
                raise RejectedInput(relpath, f"{rel}: a page image in a folder must have one frame, not {frames}")
            files.append(src)
        if not files:
            raise RejectedInput(relpath, "folder holds no page images")
        if len(files) > self.settings.max_pages:
            raise RejectedInput(relpath, f"too many pages: {len(files)} over the limit of {self.settings.max_pages}")
        return SourceDocument(relpath, "image_dir", files, len(files))


# Actions and payloads that run or carry code: a scan has none of them, and an
# archive must not sign and serve them to other systems.
_ACTIVE_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "launch action", "/ImportData": "import action",
                   "/RichMediaExecute": "rich media", "/SubmitForm": "form submission", "/GoToE": "embedded go-to"}
_ACTIVE_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/EmbeddedFiles": "embedded files",
                "/EmbeddedFile": "embedded file", "/XFA": "XFA form", "/RichMedia": "rich media"}


def _push(stack: list, obj) -> None:
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
        stack.append(obj)


def _active_content(pdf: pikepdf.Pdf, max_objects: int) -> str | None:
    """What active content the PDF holds, or None: every object reachable from the
    trailer is visited once (direct objects too, which pdf.objects does not list)."""
    if len(pdf.objects) > max_objects:
        return f"{len(pdf.objects)} objects, over the limit of {max_objects}"
    seen: set[tuple[int, int]] = set()
    stack: list = [pdf.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        visited += 1
        if visited > 20 * max_objects:
            return f"object graph over {20 * max_objects} nodes"
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            kind = obj.get("/S")
            if isinstance(kind, pikepdf.Name) and str(kind) in _ACTIVE_ACTIONS:
                return _ACTIVE_ACTIONS[str(kind)]
            for key in obj.keys():
                if key in _ACTIVE_KEYS:
                    return _ACTIVE_KEYS[key]
                if key != "/Parent":  # the page tree is reached from the top already
                    _push(stack, obj[key])
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                _push(stack, item)
    return None


def _has_text_layer(path: Path, pages: int) -> bool:
    """Born-digital: every page carries real text (a scan has none, or a few stray marks)."""
    import pdfplumber

    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                chars = [c for c in page.chars if not c.get("text", "").isspace()]
                if len(chars) < _MIN_TEXT_CHARS_PER_PAGE:
                    return False
                page.flush_cache()
        return True
    except Exception:  # pdfminer raises many types on odd files; treat as a scan
        return False
