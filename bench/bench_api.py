"""Benchmark: the service API under load on loopback (issue 8).

    python bench/bench_api.py [--clients 50] [--duration 30] [--db-url URL] [--workers 1]
                              [--path original|document|verification]

Makes a throw-away SOHOA home with one DEMO-signed PDF catalogued and stored
(LocalObjectStore), an API token with read + read_personal, starts
`uvicorn --factory api.server:app_factory` on 127.0.0.1, then runs N
concurrent httpx.AsyncClient clients fetching the original (each response's
sha256 checked against the X-Content-SHA256 header) for the given time.
Prints requests/s, p50/p90/p99 latency and the error count, and checks that the
audit chain is intact afterwards (one event per request).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

DOC = "D" + "ab" * 12
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def signed_pdf(settings, pages: int = 2) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    from sohoa.pipeline.sign import ConversionMarker, load_signer, prepare_pdf, sign_pdf

    pdfmetrics.registerFont(TTFont("DejaVuSerif", DEJAVU))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for p in range(pages):
        c.setFont("DejaVuSerif", 11)
        for i in range(40):
            c.drawString(60, 780 - i * 18, f"Bản án số 125/2024/HS-ST — trang {p + 1}, dòng {i + 1}")
        c.showPage()
    c.save()
    src = buf.getvalue()
    marker = ConversionMarker(document_id=DOC, unit=settings.unit, operator="bench",
                              converted_at=datetime.now(timezone.utc), batch_id="BENCH", scanner=None,
                              sources=[("bench.pdf", hashlib.sha256(src).hexdigest())], software="sohoa bench")
    return sign_pdf(prepare_pdf(src, marker, {}, {}), load_signer(settings), marker)


def seed(home: Path, db_url: str) -> tuple[str, int]:
    from sohoa.api.tokens import create_token
    from sohoa.archive.catalogue import Catalogue
    from sohoa.archive.models import Batch, Document, StoredObject
    from sohoa.archive.store import LocalObjectStore
    from sohoa.core.config import Settings

    settings = Settings(home=home, db_url=db_url)
    pdf = signed_pdf(settings)
    store = LocalObjectStore(settings.store_root)
    ref = store.put("sohoa-archive", f"judgments/2024/{DOC}.pdf", pdf, {})
    cat = Catalogue(db_url)
    now = datetime.now(timezone.utc)
    with cat.session() as s:
        s.add(Batch(batch_id="BENCH", source_dir="-", status="done", total=1, done=1, started_at=now))
        s.flush()
        s.add(Document(document_id=DOC, content_sha256=hashlib.sha256(pdf).hexdigest(), batch_id="BENCH",
                       source="bench.pdf", source_kind="pdf_text", page_count=2, ocr_used=False, doc_type="judgment",
                       doc_type_confidence=1.0, status="matched", converted_at=now, created_at=now, updated_at=now))
        s.flush()
        s.add(StoredObject(document_id=DOC, role="signed", bucket=ref.bucket, key=ref.key, version_id=ref.version_id,
                           sha256=ref.sha256, size=ref.size, created_at=now))
        secret, _ = create_token(s, "bench", ["read", "read_personal"], actor="bench")
    cat.dispose()
    return secret, len(pdf)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(home: Path, db_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_DB_URL": db_url}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "sohoa.servers:app_factory",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--no-access-log", "--log-level", "warning", "--timeout-keep-alive", "30"], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("API server did not start")
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("API server did not start")


async def load(base: str, secret: str, path: str, clients: int, duration: float) -> dict:
    lat: list[float] = []
    errors: dict[str, int] = {}
    nbytes = 0
    stop = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {secret}"},
                                 limits=limits, timeout=60) as client:
        async def worker() -> None:
            nonlocal nbytes
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                    ok = r.status_code == 200
                    if ok and path.endswith("/original"):
                        ok = hashlib.sha256(r.content).hexdigest() == r.headers.get("x-content-sha256")
                    key = "ok" if ok else f"status {r.status_code}" if r.status_code != 200 else "hash mismatch"
                    nbytes += len(r.content)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                if key == "ok":
                    lat.append(time.perf_counter() - t0)
                else:
                    errors[key] = errors.get(key, 0) + 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    lat.sort()

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else float("nan")

    return {"requests": len(lat) + sum(errors.values()), "ok": len(lat), "errors": sum(errors.values()),
            "error_kinds": errors, "seconds": round(elapsed, 1), "rps": round(len(lat) / elapsed, 1),
            "MB_per_s": round(nbytes / elapsed / 1e6, 1), "p50_ms": pct(0.50), "p90_ms": pct(0.90),
            "p99_ms": pct(0.99), "max_ms": round(lat[-1] * 1000, 1) if lat else None,
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--db-url", default="", help="catalogue URL (default: SQLite in the temporary home)")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (PostgreSQL for >1)")
    ap.add_argument("--path", choices=("original", "document", "verification"), default="original")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-api-") as tmp:
        home = Path(tmp) / "home"
        db_url = args.db_url or f"sqlite:///{home / 'catalogue.sqlite3'}"
        secret, size = seed(home, db_url)
        port = free_port()
        proc = start(home, db_url, port, args.workers)
        path = {"original": f"/documents/{DOC}/original", "document": f"/documents/{DOC}",
                "verification": f"/documents/{DOC}/verification"}[args.path]
        try:
            res = asyncio.run(load(f"http://127.0.0.1:{port}", secret, path, args.clients, args.duration))
        finally:
            proc.terminate()
            proc.wait(30)
        from sohoa.archive.catalogue import Catalogue, verify_audit_chain
        from sohoa.archive.models import AuditEvent
        from sqlalchemy import func, select

        cat = Catalogue(db_url)
        with cat.session() as s:
            problems = verify_audit_chain(s)
            events = s.scalar(select(func.count()).select_from(AuditEvent))
        cat.dispose()
        res.update(path=args.path, pdf_bytes=size, clients=args.clients, workers=args.workers,
                   db=db_url.split(":", 1)[0], audit_events=events, audit_chain_intact=not problems)
        print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
