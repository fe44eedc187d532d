"""Benchmark: prepare + PAdES-sign a 2-page image PDF (documents/s, one core).

    python bench/bench_sign.py [-n 50] [--dpi 300] [--workers N]

Prints documents/s for prepare_pdf, sign_pdf and both together, per core
(one process); with --workers N also the aggregate over N processes.
Uses a throw-away DEMO key under a temporary SOHOA home.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sohoa.core.config import Settings  # noqa: E402
from sohoa.pipeline.sign import ConversionMarker, load_signer, prepare_pdf, sign_pdf  # noqa: E402


def image_pdf(pages: int = 2, dpi: int = 300) -> bytes:
    """An image-only A4 PDF: one greyscale JPEG scan per page, like a scanner's."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    w, h = int(A4[0] / 72 * dpi), int(A4[1] / 72 * dpi)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for p in range(pages):
        img = Image.new("L", (w, h), 250)
        d = ImageDraw.Draw(img)
        for i in range(60):  # lines of "text"
            y = int(h * 0.1) + i * int(dpi * 0.22)
            d.rectangle([int(w * 0.1), y, int(w * (0.5 + 0.4 * ((i * 7 + p) % 10) / 10)),
                         y + int(dpi * 0.08)], fill=30)
        jb = io.BytesIO()
        img.save(jb, "JPEG", quality=75)
        c.drawImage(ImageReader(io.BytesIO(jb.getvalue())), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


def _marker(i: int, src: bytes) -> ConversionMarker:
    return ConversionMarker(
        document_id=f"DOC{i:06d}", unit="Sở Tư pháp thành phố Hà Nội", operator="Nguyễn Văn An",
        converted_at=datetime.now(timezone.utc), batch_id="BENCH", scanner="bench",
        sources=[(f"doc{i}.pdf", hashlib.sha256(src).hexdigest())], software="sohoa 0.1.0")


FIELDS = {"document_number": {"value": "125/2024/HS-ST", "confidence": 0.98, "page": 1},
          "person_name": {"value": "Nguyễn Văn An", "confidence": 0.95, "page": 1}}
ARCHIVAL = {"TypeName": "Bản án", "CodeNumber": "125", "CodeNotation": "2024/HS-ST",
            "IssuedDate": "2024-03-18", "OrganName": "Tòa án nhân dân quận Cầu Giấy"}


def run(n: int, src: bytes, home: str) -> dict[str, float]:
    signer = load_signer(Settings(home=Path(home)))
    # warm-up: imports, font subset cache
    prepared = prepare_pdf(src, _marker(0, src), FIELDS, ARCHIVAL)
    sign_pdf(prepared, signer, _marker(0, src))
    t_prep = t_sign = 0.0
    for i in range(n):
        m = _marker(i, src)
        t0 = time.perf_counter()
        prepared = prepare_pdf(src, m, FIELDS, ARCHIVAL)
        t1 = time.perf_counter()
        sign_pdf(prepared, signer, m)
        t2 = time.perf_counter()
        t_prep += t1 - t0
        t_sign += t2 - t1
    return {"n": n, "prepare": t_prep, "sign": t_sign}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    src = image_pdf(2, args.dpi)
    with tempfile.TemporaryDirectory() as home:
        load_signer(Settings(home=Path(home)))  # make the DEMO key once
        r = run(args.n, src, home)
        n = r["n"]
        print(f"input: 2-page image PDF, {args.dpi} dpi, {len(src) / 1024:.0f} KiB; "
              f"{n} iterations, 1 process (per core)")
        print(f"  prepare only : {n / r['prepare']:8.1f} docs/s  ({1000 * r['prepare'] / n:.1f} ms/doc)")
        print(f"  sign only    : {n / r['sign']:8.1f} docs/s  ({1000 * r['sign'] / n:.1f} ms/doc)")
        tot = r["prepare"] + r["sign"]
        print(f"  prepare+sign : {n / tot:8.1f} docs/s  ({1000 * tot / n:.1f} ms/doc)")
        if args.workers > 1:
            t0 = time.perf_counter()
            with ProcessPoolExecutor(args.workers) as ex:
                list(ex.map(run, [args.n] * args.workers, [src] * args.workers,
                            [home] * args.workers))
            wall = time.perf_counter() - t0
            print(f"  {args.workers} processes: {args.n * args.workers / wall:.1f} docs/s "
                  f"prepare+sign aggregate (incl. start-up), cores={os.cpu_count()}")


if __name__ == "__main__":
    main()
