"""Benchmark: documents signed per second per core at each PAdES level.

    python bench/bench_sign_levels.py [-n 20] [--pkcs11]

Uses the local test PKI (corpus/pki.py) served by a separate
process on 127.0.0.1 (TSA, OCSP, CRLs), a 2-page 300 dpi image PDF, and one
signing process (= one core; the server process answers the TSA/OCSP/CRL
requests). Times sign_pdf only (prepare_pdf is the same at every level) and
also a full verify_pdf (pyHanko + LTV, without pdfsig).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sign import image_pdf  # noqa: E402
from sohoa.core.config import Settings  # noqa: E402
from sohoa.corpus.pki import create_pki, start_background, stop_background  # noqa: E402
from sohoa.pipeline.sign import ConversionMarker, load_signer, prepare_pdf, sign_pdf, verify_pdf  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    args = ap.parse_args()
    from datetime import datetime, timezone

    with tempfile.TemporaryDirectory() as tmp:
        pki = create_pki(Path(tmp) / "pki", port=0)
        start_background(pki)
        try:
            src = image_pdf(2, 300)
            marker = ConversionMarker("D" + "0" * 24, "Đơn vị", "op", datetime.now(timezone.utc), "B",
                                      None, [("a.pdf", "0" * 64)], "sohoa 0.1.0")
            prepared = prepare_pdf(src, marker, {}, {})
            print(f"input: 2-page 300 dpi scan, {len(prepared)/1e6:.1f} MB prepared; n={args.n}")
            print("| level | sign docs/s/core | sign ms (median) | verify ms (median) | added bytes |")
            print("|---|---|---|---|---|")
            for level in ("B-B", "B-T", "B-LT", "B-LTA"):
                st = Settings(home=Path(tmp) / "h", sign_pkcs12=str(pki.signer_p12),
                              sign_pkcs12_password=pki.password, tsa_url=pki.tsa_url(),
                              trust_roots=str(pki.root_pem), sign_level=level)
                signer = load_signer(st)
                sign_pdf(prepared, signer, marker)  # warm up (connections, caches)
                times, out = [], b""
                t0 = time.perf_counter()
                for _ in range(args.n):
                    t = time.perf_counter()
                    out = sign_pdf(prepared, signer, marker)
                    times.append(time.perf_counter() - t)
                total = time.perf_counter() - t0
                vt = []
                for _ in range(min(args.n, 5)):
                    t = time.perf_counter()
                    rep = verify_pdf(out, trust_roots=[pki.root_pem.read_bytes()], run_pdfsig=False)
                    vt.append(time.perf_counter() - t)
                    assert rep.valid and rep.level == level, rep.to_text()
                print(f"| {level} | {args.n / total:.1f} | {statistics.median(times) * 1000:.0f} | "
                      f"{statistics.median(vt) * 1000:.0f} | {len(out) - len(prepared):,} |")
        finally:
            stop_background(pki)


if __name__ == "__main__":
    main()
