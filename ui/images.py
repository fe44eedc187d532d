"""Page images for the item page: the signed PDF's page, cropped to a field's box,
rendered on demand with poppler's pdftoppm and cached under $SOHOA_HOME/cache/ui."""
from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

from sohoa.archive.models import Document
from sohoa.core.storage import ObjectRef

DPI = 150
MARGIN_X, MARGIN_Y = 110.0, 28.0  # points around the field's box


def signed_ref(s, document_id: str) -> ObjectRef | None:
    doc = s.get(Document, document_id)
    obj = doc.latest_signed if doc else None
    return obj.ref if obj else None


def _pdf_path(rt, ref: ObjectRef, cache: Path) -> Path:
    path = cache / f"{ref.sha256}.pdf"
    if not path.exists():
        data = rt.store.get(ref)  # hash-checked
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def render(rt, ref: ObjectRef, page: int, bbox: list[float] | None, page_size: tuple[float, float],
           dpi: int = DPI) -> bytes:
    """PNG of page `page` (1-based), cropped around bbox (PDF points, top-left origin) when given."""
    cache = rt.settings.home / "cache" / "ui"
    cache.mkdir(parents=True, exist_ok=True)
    crop: tuple[int, int, int, int] | None = None
    if bbox:
        pw, ph = page_size
        x0 = max(0.0, float(bbox[0]) - MARGIN_X)
        y0 = max(0.0, float(bbox[1]) - MARGIN_Y)
        x1 = min(pw, float(bbox[2]) + MARGIN_X)
        y1 = min(ph, float(bbox[3]) + MARGIN_Y)
        k = dpi / 72.0
        crop = (int(x0 * k), int(y0 * k), max(1, int((x1 - x0) * k)), max(1, int((y1 - y0) * k)))
    key = hashlib.sha256(f"{ref.sha256}|{page}|{crop}|{dpi}".encode()).hexdigest()[:32]
    out = cache / f"{key}.png"
    if out.exists():
        return out.read_bytes()
    pdf = _pdf_path(rt, ref, cache)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        cmd = ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile"]
        if crop:
            cmd += ["-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3])]
        subprocess.run([*cmd, str(pdf), str(Path(tmp) / "p")], check=True, capture_output=True, timeout=60)
        data = (Path(tmp) / "p.png").read_bytes()
    out.write_bytes(data)
    return data
