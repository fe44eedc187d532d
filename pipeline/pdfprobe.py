"""The intake's look inside a PDF, in a child process with a memory and a time bound.

A PDF is parsed by C libraries (qpdf through pikepdf, pdfminer through
pdfplumber) that decompress whatever the file asks: a 2 MB file may hold a
Flate stream of 2 GiB of zeros, or a content stream that takes minutes to
interpret. So the parse runs in a child process (`python -m
sohoa.pipeline.pdfprobe`) that limits its own address space (RLIMIT_AS) and
CPU time before it opens the file, and the parent kills it at a wall-clock
timeout. Inside, every Flate stream is decompressed in bounded chunks only to
count its size, and one over `max_stream_bytes` is refused by name, before
anything decodes it whole. The child sets its own limits (no `preexec_fn`,
which is unsafe in a parent with threads).

Protocol: the parent writes one JSON object to the child's stdin (the path as
hex of its bytes, so a file name that is not UTF-8 survives, and the limits);
the child writes one JSON object to stdout: {"kind", "pages"} or {"rejected"},
plus its peak resident memory ("max_rss_kib").
"""
from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from typing import Any

from sohoa.core.config import Settings
from sohoa.core.errors import RejectedInput

_MIN_TEXT_CHARS_PER_PAGE = 20
_CHUNK = 1 << 20
# Filters that only image decoders undo (their pixel count is checked instead).
_IMAGE_CODECS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}


@dataclass(frozen=True)
class ProbeLimits:
    max_pages: int
    max_page_pixels: int
    max_pdf_objects: int
    max_stream_bytes: int
    max_content_bytes: int
    ocr_dpi: int
    memory_bytes: int
    seconds: float

    @classmethod
    def from_settings(cls, s: Settings) -> "ProbeLimits":
        return cls(s.max_pages, s.max_page_pixels, s.max_pdf_objects, s.max_stream_bytes, s.max_content_bytes,
                   s.ocr_dpi, s.parse_memory_bytes, s.parse_timeout)


@dataclass(frozen=True)
class ProbeResult:
    kind: str  # 'pdf_text' or 'pdf_image'
    pages: int
    seconds: float
    max_rss_kib: int  # the child's peak resident memory


class Refused(Exception):
    """The PDF is refused; the message is the report's reason."""


# -- parent side --------------------------------------------------------------------

def probe_pdf(path: os.PathLike[str] | str, relpath: str, limits: ProbeLimits) -> ProbeResult:
    """Kind and page count of the PDF at `path`, or RejectedInput(relpath, why)."""
    t0 = time.monotonic()
    try:
        proc = subprocess.run(CHILD, input=child_request(path, limits), capture_output=True,
                              timeout=limits.seconds, env=_child_env(), cwd="/")
    except subprocess.TimeoutExpired:
        raise RejectedInput(relpath, f"PDF too costly to parse: not read within {limits.seconds:g} s "
                                     "(a decompression or content-stream bomb?)") from None
    seconds = time.monotonic() - t0
    try:
        answer: dict[str, Any] = json.loads(proc.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RejectedInput(relpath, _died(proc, limits)) from None
    if "rejected" in answer:
        raise RejectedInput(relpath, answer["rejected"])
    return ProbeResult(answer["kind"], int(answer["pages"]), seconds, int(answer.get("max_rss_kib", 0)))


# -P: the working directory is not put on sys.path, so a folder named 'sohoa' in a batch
# one runs `sohoa process .` from is never imported in its place.
CHILD = [sys.executable, "-P", "-m", "sohoa.pipeline.pdfprobe"]


def child_request(path: os.PathLike[str] | str, limits: ProbeLimits) -> bytes:
    """What the child reads on stdin: the path's bytes as hex, and the limits."""
    return json.dumps({"path": os.fsencode(path).hex(), "limits": limits.__dict__}).encode()


def _child_env() -> dict[str, str]:
    # The child needs no more than the interpreter's own search path; no site tweaks from the batch.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "HOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _died(proc: subprocess.CompletedProcess, limits: ProbeLimits) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    if "MemoryError" in err or "bad_alloc" in err or proc.returncode in (-9, -6):
        return (f"PDF too costly to parse: over the memory limit of {limits.memory_bytes // (1 << 20)} MiB "
                "(a decompression bomb?)")
    if proc.returncode == -24:  # SIGXCPU: the CPU-time limit
        return f"PDF too costly to parse: over {limits.seconds:g} s of CPU (a content-stream bomb?)"
    last = (err.strip().splitlines() or ["no output"])[-1][:200]
    return f"PDF parser failed (exit {proc.returncode}): {last}"


# -- child side ---------------------------------------------------------------------

def _limit_self(limits: ProbeLimits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def inspect_pdf(path: str, limits: ProbeLimits) -> tuple[str, int]:
    """(kind, pages) of a PDF, or Refused(reason). Runs in the bounded child."""
    import pikepdf

    with open(path, "rb") as fh:  # a file object: pikepdf takes no path that is not UTF-8
        size = os.fstat(fh.fileno()).st_size
        fh.seek(max(0, size - 2048))
        if b"%%EOF" not in fh.read():
            raise Refused("truncated PDF: no %%EOF end marker")
        fh.seek(0)
        try:
            pdf = pikepdf.open(fh)
        except pikepdf.PasswordError:
            raise Refused("encrypted PDF: password required") from None
        except pikepdf.PdfError as exc:
            raise Refused(f"corrupt PDF: {qpdf_message(exc)}") from None
        with pdf:
            pages = _check_structure(pdf, limits)
            fh.seek(0)
            return ("pdf_text" if _has_text_layer(fh) else "pdf_image"), pages


_QPDF_WHERE = re.compile(r"^(?:stream )?<_io\.\w+ name=.*?>(?: \([^)]*\))?: ")


def qpdf_message(exc: Exception) -> str:
    """qpdf's message without its "stream <file object> (object n, offset m): " prefix,
    which names the child's file object, not the batch entry; on one line, short."""
    return " ".join(_QPDF_WHERE.sub("", str(exc)).split())[:200]


def _check_structure(pdf: Any, limits: ProbeLimits) -> int:
    import pikepdf

    if pdf.is_encrypted:
        raise Refused("encrypted PDF: encryption must be removed before archiving")
    try:
        n = len(pdf.pages)
    except pikepdf.PdfError as exc:
        raise Refused(f"corrupt PDF page tree: {qpdf_message(exc)}") from None
    if n == 0:
        raise Refused("PDF has no pages")
    if n > limits.max_pages:
        raise Refused(f"too many pages: {n} over the limit of {limits.max_pages}")
    active = active_content(pdf, limits.max_pdf_objects)
    if active:
        raise Refused(f"PDF with active content ({active}): not accepted from a scanning station")
    for i, page in enumerate(pdf.pages, start=1):
        try:
            box = [float(v) for v in page.mediabox]
        except (pikepdf.PdfError, TypeError, ValueError) as exc:
            raise Refused(f"page {i} has no valid MediaBox: {exc}") from None
        w_px = abs(box[2] - box[0]) * limits.ocr_dpi / 72
        h_px = abs(box[3] - box[1]) * limits.ocr_dpi / 72
        if w_px * h_px > limits.max_page_pixels:
            raise Refused(f"page {i} too large to rasterize: {box[2]-box[0]:.0f}x{box[3]-box[1]:.0f} pt")
    _check_streams(pdf, limits)
    _check_inline_images(pdf, limits)
    return n


def _filters(stream: Any) -> list[str]:
    import pikepdf

    f = stream.stream_dict.get("/Filter")
    if isinstance(f, pikepdf.Name):
        return [str(f)]
    if isinstance(f, pikepdf.Array):
        return [str(x) for x in f]
    return []


def _check_streams(pdf: Any, limits: ProbeLimits) -> None:
    """Every stream's decoded size, counted without holding it: a bomb is refused by name.
    An image may inflate to its declared pixels' bytes (and never past max_stream_bytes);
    any other stream (page content, fonts) to max_content_bytes."""
    import pikepdf

    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        where = f"stream {obj.objgen[0]} {obj.objgen[1]} R"
        d = obj.stream_dict
        cap, beyond = limits.max_content_bytes, ""
        if d.get("/Subtype") == pikepdf.Name.Image:
            declared = _image_bytes(d, where)
            if declared[0] > limits.max_page_pixels:
                raise Refused(f"image too large (decompression bomb): {where} declares "
                               f"{declared[1]}x{declared[2]} pixels")
            cap = min(limits.max_stream_bytes, declared[3])
            beyond = f", beyond what its {declared[1]}x{declared[2]} pixels hold"
        filters = _filters(obj)
        if filters == ["/DCTDecode"]:  # a JPEG's own header may declare more than the PDF says
            size = _jpeg_size(obj.read_raw_bytes())
            if size and size[0] * size[1] > limits.max_page_pixels:
                raise Refused(f"image too large (decompression bomb): the JPEG in {where} declares "
                              f"{size[0]}x{size[1]} pixels")
        if _IMAGE_CODECS.intersection(filters):
            continue  # its declared pixels were checked above
        raw = obj.read_raw_bytes()
        data, rest = _text_decoded(raw, filters)
        if rest == ["/FlateDecode"]:
            decoded = _inflated_size(data, cap)
        elif not rest:
            decoded = len(data)
        else:  # rare chains (LZW, RunLength): decoded whole, under the child's memory limit
            try:
                decoded = len(obj.read_bytes(pikepdf.StreamDecodeLevel.specialized))
            except pikepdf.PdfError as exc:
                if "bad_alloc" in str(exc):  # qpdf hit the child's address-space limit
                    raise MemoryError from None
                raise Refused(f"{where} cannot be decoded: {qpdf_message(exc)}") from None
        if decoded > cap:
            raise Refused(f"decompression bomb: {where} inflates to over {_size(cap)}{beyond} "
                           f"(from {len(raw):,} bytes in the file)")


def _check_inline_images(pdf: Any, limits: ProbeLimits) -> None:
    """Images written inside a content stream (BI .. ID .. EI) declare their size there:
    the rasteriser would decode every pixel declared. The content streams are the pages'
    and the form XObjects'; only those holding 'ID' are parsed."""
    import pikepdf

    drawn: list[tuple[str, Any, list[Any]]] = []
    for i, page in enumerate(pdf.pages, start=1):
        contents = page.obj.get("/Contents")
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        drawn.append((f"page {i}", page, [p for p in parts if isinstance(p, pikepdf.Stream)]))
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Subtype") == pikepdf.Name.Form:
            drawn.append((f"form stream {obj.objgen[0]} {obj.objgen[1]} R", obj, [obj]))
    for where, target, streams in drawn:
        try:
            if not any(b"ID" in s.read_bytes() for s in streams):  # sizes checked: each <= max_content_bytes
                continue
            instructions = pikepdf.parse_content_stream(target)
        except (pikepdf.PdfError, TypeError, ValueError):
            continue  # unparseable content: no inline image found in it (the rasteriser skips it too)
        for item in instructions:
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                w, h = item.iimage.width, item.iimage.height
                if w * h > limits.max_page_pixels:
                    raise Refused(f"image too large (decompression bomb): an inline image on {where} "
                                  f"declares {w}x{h} pixels")


_COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/Indexed": 1, "/DeviceRGB": 3, "/CalRGB": 3, "/Lab": 3,
               "/DeviceCMYK": 4}


def _image_bytes(d: Any, where: str) -> tuple[int, int, int, int]:
    """(pixels, width, height, most bytes its samples can take) of an image XObject."""
    import pikepdf

    try:
        w, h = int(d.get("/Width", 0)), int(d.get("/Height", 0))
        bpc = int(d.get("/BitsPerComponent", 8))
    except (TypeError, ValueError):
        raise Refused(f"{where}: an image without valid /Width, /Height or /BitsPerComponent") from None
    if w <= 0 or h <= 0 or not 1 <= bpc <= 16:
        raise Refused(f"{where}: an image of {w}x{h} pixels at {bpc} bits")
    cs = d.get("/ColorSpace")
    if isinstance(cs, pikepdf.Array) and len(cs) and str(cs[0]) == "/ICCBased":
        try:
            comps = int(cs[1].stream_dict.get("/N", 4))
        except (TypeError, ValueError, AttributeError):
            comps = 4
    elif isinstance(cs, pikepdf.Array) and len(cs):
        comps = _COMPONENTS.get(str(cs[0]), 4)
    else:
        comps = 1 if d.get("/ImageMask") is True else _COMPONENTS.get(str(cs), 4)
    row = (w * comps * bpc + 7) // 8 + 1  # +1: a PNG predictor's tag byte per row
    return w * h, w, h, row * h + 4096


def _size(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB" if n >= 1 << 20 else f"{n:,} bytes"


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's frame header (SOFn), or None when there is none."""
    i = 2 if data[:2] == b"\xff\xd8" else -1
    while 0 <= i < len(data) - 9:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = int.from_bytes(data[i + 5:i + 7], "big"), int.from_bytes(data[i + 7:i + 9], "big")
            return width, height
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length field
            i += 2
            continue
        i += 2 + int.from_bytes(data[i + 2:i + 4], "big")
    return None


_SHORT_NAMES = {"/Fl": "/FlateDecode", "/AHx": "/ASCIIHexDecode", "/A85": "/ASCII85Decode",
                "/LZW": "/LZWDecode", "/RL": "/RunLengthDecode"}


def _text_decoded(raw: bytes, filters: list[str]) -> tuple[bytes, list[str]]:
    """The leading ASCIIHex/ASCII85 filters undone (each output is at most 4x its input),
    so a Flate stream wrapped in text is still counted in chunks; the filters left."""
    rest = [_SHORT_NAMES.get(f, f) for f in filters]
    while rest and rest[0] in ("/ASCIIHexDecode", "/ASCII85Decode"):
        try:
            raw = _unhex(raw) if rest[0] == "/ASCIIHexDecode" else _un85(raw)
        except ValueError as exc:
            raise Refused(f"a stream's {rest[0][1:]} data is damaged: {exc}") from None
        rest = rest[1:]
    return raw, rest


def _unhex(raw: bytes) -> bytes:
    digits = bytes(raw.split(b">", 1)[0].translate(None, b" \t\r\n\f\x00"))
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))


def _un85(raw: bytes) -> bytes:
    import base64

    body = bytes(raw.translate(None, b" \t\r\n\f\x00"))
    body = body.removeprefix(b"<~").split(b"~>", 1)[0]
    return base64.a85decode(body)


def _inflated_size(raw: bytes, cap: int) -> int:
    """Bytes a zlib stream inflates to, counted in 1 MiB chunks, stopping past `cap`."""
    inflater = zlib.decompressobj()
    total, data = 0, raw
    try:
        while data:
            total += len(inflater.decompress(data, _CHUNK))
            if total > cap:
                return total
            data = inflater.unconsumed_tail
        while True:
            out = inflater.flush(_CHUNK) if not inflater.eof else b""
            if not out:
                return total
            total += len(out)
            if total > cap:
                return total
    except zlib.error:
        return total  # a damaged tail: qpdf keeps what inflated before it


def _push(stack: list, obj: Any) -> None:
    import pikepdf

    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
        stack.append(obj)


# Actions and payloads that run code, reach out of the document, or carry other files: a scan
# has none of them, and the archive must not sign and serve them to other systems.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript", "/Launch": "launch action", "/ImportData": "import action",
    "/RichMediaExecute": "rich media", "/SubmitForm": "form submission", "/GoToE": "embedded go-to",
    "/GoToR": "remote go-to (a link to another file)", "/URI": "link to a URI",
    "/Rendition": "media rendition", "/Movie": "movie", "/Sound": "sound",
    "/GoTo3DView": "3D view",
}
ACTIVE_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/EmbeddedFiles": "embedded files",
               "/EmbeddedFile": "embedded file", "/EF": "embedded file", "/XFA": "XFA form",
               "/RichMedia": "rich media", "/RichMediaContent": "rich media", "/URI": "link to a URI"}
# Objects that are payloads by their /Type or /Subtype (an attachment's file stream, media annotations).
ACTIVE_TYPES = {"/EmbeddedFile": "embedded file", "/FileAttachment": "embedded file", "/RichMedia": "rich media",
                "/Screen": "media screen", "/Movie": "movie", "/Sound": "sound", "/3D": "3D artwork"}


def active_content(pdf: Any, max_objects: int) -> str | None:
    """What active content the PDF holds, or None: every object reachable from the
    trailer is visited once (direct objects too, which pdf.objects does not list).
    Actions are found wherever they hang: /OpenAction, annotations' /A and /AA,
    pages' and the form's /AA, outline items, /Next chains."""
    import pikepdf

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
            if isinstance(kind, pikepdf.Name) and str(kind) in ACTIVE_ACTIONS:
                return ACTIVE_ACTIONS[str(kind)]
            for type_key in ("/Type", "/Subtype"):
                named = obj.get(type_key)
                if isinstance(named, pikepdf.Name) and str(named) in ACTIVE_TYPES:
                    return ACTIVE_TYPES[str(named)]
            for key in obj.keys():
                if key in ACTIVE_KEYS:
                    return ACTIVE_KEYS[key]
                if key != "/Parent":  # the page tree is reached from the top already
                    _push(stack, obj[key])
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                _push(stack, item)
    return None


def _has_text_layer(fh: Any) -> bool:
    """Born-digital: every page carries real text (a scan has none, or a few stray marks)."""
    import pdfplumber

    try:
        with pdfplumber.open(fh) as pdf:
            for page in pdf.pages:
                chars = [c for c in page.chars if not c.get("text", "").isspace()]
                if len(chars) < _MIN_TEXT_CHARS_PER_PAGE:
                    return False
                page.flush_cache()
        return True
    except MemoryError:
        raise
    except Exception:  # pdfminer raises many types on odd files; treat as a scan
        return False


def _peak_rss_kib() -> int:
    """This process's peak resident memory since exec (VmHWM): ru_maxrss would also count
    the parent's pages at fork time, which Linux carries over the exec."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    limits = ProbeLimits(**request["limits"])
    _limit_self(limits)
    path = os.fsdecode(bytes.fromhex(request["path"]))
    try:
        kind, pages = inspect_pdf(path, limits)
        answer: dict[str, Any] = {"kind": kind, "pages": pages}
    except Refused as exc:
        answer = {"rejected": str(exc)}
    except MemoryError:
        answer = {"rejected": f"PDF too costly to parse: over the memory limit of "
                              f"{limits.memory_bytes // (1 << 20)} MiB (a decompression bomb?)"}
    except OSError as exc:
        answer = {"rejected": f"unreadable: {exc.strerror or exc}"}
    answer["max_rss_kib"] = _peak_rss_kib()
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
