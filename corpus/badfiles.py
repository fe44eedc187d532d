"""Bad inputs a scan batch may contain; each one is clearly unusable."""
from __future__ import annotations

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
    import io

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
