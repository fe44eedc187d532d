"""Intake: find the documents of a scan batch and refuse bad input early.

A document is a PDF, a multi-page TIFF, a single page image, or a folder of
page images (contract section 1). The type is decided by the file's bytes,
never by its name. Every other entry is a `Rejection` with a specific
reason; the batch goes on.

Source names. The report, the catalogue and the signed marker keep each
entry's name as `source_name()` spells it: the name itself when it is
printable UTF-8, else with percent escapes (%XX, upper-case hex) for each byte
that is not UTF-8 (a name written under another code page), each control
character (ESC, DEL, C1), each bidirectional control (U+202A..U+202E,
U+2066..U+2069, which could disguise `gpj.exe` as `exe.jpg`), U+FFFE/U+FFFF,
and '%' itself. The escape is reversible: `name_bytes()` gives back the exact
bytes of the name on disk, and every escaped name is valid UTF-8 and valid in
XML, so the marker (XMP) holds the same string as the catalogue.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import struct
import threading
import unicodedata
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator
from urllib.parse import unquote_to_bytes

from PIL import Image
from sohoa.core.config import Settings
from sohoa.core.errors import FatalError, RejectedInput
from sohoa.core.types import SourceDocument, SourceFile
from sohoa.pipeline.dossiers import parse_dossiers
from sohoa.pipeline.pdfprobe import ProbeLimits, probe_pdf

log = logging.getLogger("sohoa.intake")

BATCH_META = "batch.json"
_MAX_BATCH_META_BYTES = 1 << 20  # a few fields (and a dossier list): never megabytes
_IMAGE_FORMATS = {"PNG", "JPEG", "TIFF"}
_BIDI_CONTROLS = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
# Characters of text files besides the printable: tab, line feed, carriage return, form feed.
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D}


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
    # declared dossiers: DeclaredEntry.to_json() lists (pipeline/dossiers.py); JSON for Celery
    dossiers: tuple[Any, ...] = ()


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


def describe_unknown(head: bytes, path: Path | None = None) -> str:
    """Why a file of no known type is not a scan, saying what it is."""
    if not head:
        return "empty file (0 bytes)"
    if not head.strip(b"\x00"):
        if path is not None and _all_zero(path):
            return f"no content: all {path.stat().st_size:,} bytes are zero (an unwritten or wiped file)"
        return "not a scanned document: starts with zero bytes, unrecognised binary content"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the head is still text
        text = head[: exc.start].decode("utf-8") if exc.start >= len(head) - 3 else ""
        if not text:
            return "not a scanned document: unrecognised binary content, not PDF/TIFF/PNG/JPEG"
    if any(ord(c) < 0x20 and ord(c) not in _TEXT_CONTROLS or ord(c) == 0x7F for c in text):
        return "not a scanned document: unrecognised binary content, not PDF/TIFF/PNG/JPEG"
    return "not a scanned document: plain text, not PDF/TIFF/PNG/JPEG"


_ZERO_MIB = bytes(1 << 20)


def _all_zero(path: Path) -> bool:
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(len(_ZERO_MIB)), b""):
            if chunk != (_ZERO_MIB if len(chunk) == len(_ZERO_MIB) else bytes(len(chunk))):  # memcmp
                return False
    return True


def source_name(name: str) -> str:
    """The report's, catalogue's and marker's spelling of a file name (see the module's doc).
    `name` is as os.fsdecode gives it: bytes that are not UTF-8 are lone surrogates."""
    out = []
    for ch in name:
        cp = ord(ch)
        if 0xDC80 <= cp <= 0xDCFF:  # surrogateescape: one raw byte of the name
            out.append(f"%{cp - 0xDC00:02X}")
        elif (ch == "%" or cp in _BIDI_CONTROLS or cp in (0xFFFE, 0xFFFF)
              or unicodedata.category(ch) in ("Cc", "Cs")):
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
    return "".join(out)


def name_bytes(source: str) -> bytes:
    """The exact bytes of a name on disk from its `source_name` spelling."""
    return unquote_to_bytes(source)


def tiff_page_count(fh: BinaryIO, max_pages: int, relpath: str) -> int:
    """Pages of a TIFF by its chain of IFDs, refused past max_pages or on a loop. PIL's
    n_frames walks the whole chain, and slower with each page: 200,000 tiny IFDs in a
    22 MB file held intake for minutes."""
    order = "<" if fh.read(2) == b"II" else ">"
    big = struct.unpack(order + "H", fh.read(2))[0] == 43  # BigTIFF: 64-bit offsets
    if big:
        fh.read(4)
    fmt_off, fmt_count, entry = (order + "Q", order + "Q", 20) if big else (order + "I", order + "H", 12)
    offset = struct.unpack(fmt_off, fh.read(struct.calcsize(fmt_off)))[0]
    seen: set[int] = set()
    while offset:
        if offset in seen:
            raise RejectedInput(relpath, "malformed TIFF: its pages (IFDs) loop back on themselves")
        seen.add(offset)
        if len(seen) > max_pages:
            raise RejectedInput(relpath, f"too many pages: over the limit of {max_pages}")
        fh.seek(offset)
        raw = fh.read(struct.calcsize(fmt_count))
        if len(raw) < struct.calcsize(fmt_count):
            break  # a truncated chain: PIL says what is wrong with it
        fh.seek(offset + len(raw) + struct.unpack(fmt_count, raw)[0] * entry)
        raw = fh.read(struct.calcsize(fmt_off))
        offset = struct.unpack(fmt_off, raw)[0] if len(raw) == struct.calcsize(fmt_off) else 0
    return len(seen)


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
    if meta_path.is_symlink():  # it would be read wherever it points
        raise FatalError(f"{meta_path}: batch.json is a symbolic link; it must be a file of the batch")
    if meta_path.is_file():
        if meta_path.stat().st_size > _MAX_BATCH_META_BYTES:
            raise FatalError(f"{meta_path}: batch.json of {meta_path.stat().st_size:,} bytes, "
                             f"over the limit of {_MAX_BATCH_META_BYTES:,}")
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (OSError, ValueError, RecursionError) as exc:  # RecursionError: [[[[... nested deep
            raise FatalError(f"{meta_path}: unreadable batch.json ({type(exc).__name__}: "
                             f"{str(exc)[:200]})") from None
        if not isinstance(meta, dict):
            raise FatalError(f"{meta_path}: batch.json must be a JSON object")
    batch_id = str(meta.get("batch_id") or batch_dir.resolve().name)
    if not re.fullmatch(r"[\w.\-]{1,128}", batch_id):
        raise FatalError(f"{meta_path}: batch_id {batch_id!r} has characters other than letters, digits, . _ -")

    def opt(key: str) -> str | None:
        v = meta.get(key)
        return str(v)[:500] if v is not None else None

    declared = tuple(e.to_json() for e in parse_dossiers(meta.get("dossiers")))
    return BatchInfo(batch_id, opt("unit"), opt("operator"), opt("scanned_at"), opt("scanner"), declared)


class Intake:
    """Turns batch entries into SourceDocuments or Rejections."""

    def __init__(self, settings: Settings):
        self.settings = settings
        # warnings.catch_warnings changes the process's filters: one image header at a time
        self._pil_lock = threading.Lock()

    def scan(self, batch_dir: Path) -> Iterator[SourceDocument | Rejection]:
        """Every entry in name order. Entries are inspected side by side (a PDF's probe is a
        child process, hashing leaves the GIL), `settings.jobs` at a time."""
        if not batch_dir.is_dir():
            raise FatalError(f"{batch_dir}: no such batch directory")
        root = batch_dir.resolve()
        entries = [e for e in sorted(batch_dir.iterdir(), key=lambda p: natural_key(p.name))
                   if not (e.name == BATCH_META and e.is_file())]
        if len(entries) < 2 or self.settings.jobs < 2:
            yield from (self._entry(e, root) for e in entries)
            return
        with ThreadPoolExecutor(max_workers=min(self.settings.jobs, len(entries)),
                                thread_name_prefix="sohoa-intake") as pool:
            yield from pool.map(lambda e: self._entry(e, root), entries)

    def _entry(self, entry: Path, root: Path) -> SourceDocument | Rejection:
        relpath = source_name(entry.name)
        try:
            return self.inspect(entry, relpath, root)
        except RejectedInput as rej:
            return Rejection(rej.source, rej.reason)
        except OSError as exc:  # unreadable, or gone since the listing: this entry only
            return Rejection(relpath, f"unreadable: {exc.strerror or exc}")
        except Exception as exc:  # a parser's surprise on a hostile file must not end the batch
            log.exception("intake failed", extra={"document": relpath})
            return Rejection(relpath, f"could not be inspected: {type(exc).__name__}: {str(exc)[:200]}")

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
            raise RejectedInput(relpath, describe_unknown(head, path))
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
        with src.path.open("rb") as fh:
            if fh.read(4) in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
                fh.seek(0)
                tiff_page_count(fh, self.settings.max_pages, src.relpath)  # before PIL walks them all
        try:
            with self._pil_lock, warnings.catch_warnings():
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
        # Parsed in a child process with a memory and a time bound (pipeline/pdfprobe.py).
        found = probe_pdf(src.path, src.relpath, ProbeLimits.from_settings(self.settings))
        return SourceDocument(src.relpath, "pdf_text" if found.kind == "pdf_text" else "pdf_image", [src], found.pages)

    def _image_dir(self, path: Path, relpath: str, root: Path) -> SourceDocument:
        pages: list[Path] = []
        for e in path.iterdir():  # counted as listed: a folder of a million files is refused at once
            if e.name.startswith("."):
                continue  # scanner/OS droppings (.DS_Store); not pages
            pages.append(e)
            if len(pages) > self.settings.max_pages:
                raise RejectedInput(relpath, f"too many pages: over the limit of {self.settings.max_pages}")
        files: list[SourceFile] = []
        for e in sorted(pages, key=lambda p: natural_key(p.name)):
            rel = f"{relpath}/{source_name(e.name)}"
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
        return SourceDocument(relpath, "image_dir", files, len(files))
