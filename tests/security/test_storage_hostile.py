"""Hostile JPEG headers on the storage path: the quantisation tables a re-encode copies
(pipeline/ocr/pageimage.py) come from the scan, so a damaged or crafted header must
neither crash the page nor push a re-encode above a sane quality."""
from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

import numpy as np
from PIL import Image
from sohoa.core.config import Settings
from sohoa.core.types import SourceDocument, SourceFile
from sohoa.pipeline.ocr import pageimage
from sohoa.pipeline.ocr.pages import load_page, plan_pages


def _noisy(w: int = 240, h: int = 320) -> Image.Image:
    return Image.fromarray(np.random.default_rng(3).integers(0, 256, (h, w), dtype=np.uint8))


def _load(path: Path, kind: str, tmp: Path):
    doc = SourceDocument(path.name, kind, [SourceFile(path, path.name, hashlib.sha256(path.read_bytes()).hexdigest(),
                                                      path.stat().st_size)], 1)
    settings = Settings()
    return load_page(doc, plan_pages(doc, settings, tmp)[0], settings, tmp)


def test_dqt_parser_survives_random_and_truncated_headers():
    rng = random.Random(0)
    buf = io.BytesIO()
    _noisy().save(buf, "JPEG", quality=50)
    real = buf.getvalue()
    for i in range(2000):
        if i % 2:
            data = b"\xff\xd8\xff\xdb" + bytes(rng.randrange(256) for _ in range(rng.randrange(300)))
        else:
            data = real[: rng.randrange(len(real) // 4)]  # cut anywhere in the header
        tables = pageimage.dqt_tables(data)
        assert all(k in range(4) and len(v) == 64 for k, v in tables.items())
    assert pageimage.jpeg_quality(pageimage.dqt_tables(real)) == 50


def test_zeroed_quantisation_tables_are_not_copied(tmp_path):
    """A JPEG whose DQT says 0 (no quantisation at all) is read, but its tables are not trusted:
    a re-encode falls back to the lossless-source quality, not 'quality 100'."""
    buf = io.BytesIO()
    _noisy().save(buf, "JPEG", quality=50)
    data = bytearray(buf.getvalue())
    pos = data.index(b"\xff\xdb")
    length = int.from_bytes(data[pos + 2 : pos + 4], "big")
    data[pos + 5 : pos + 2 + length] = bytes(length - 3)  # every table entry 0
    src = tmp_path / "zero.jpg"
    src.write_bytes(bytes(data))
    lp = _load(src, "image", tmp_path / "w")
    assert lp.qtables is None
    out = pageimage.encode(lp.image, lp.dpi, tmp_path / "out", qtables=lp.qtables)
    with Image.open(out.path) as im:  # the decoded page is flat: lossless PNG, or JPEG at no more than that
        assert im.format == "PNG" or pageimage.jpeg_quality(im.quantization) <= pageimage.JPEG_Q_LOSSLESS


def test_tiff_with_garbage_jpeg_tables_still_loads(tmp_path):
    """A JPEG TIFF whose JPEGTables tag holds junk: the page decodes or is rejected by the
    loader as before, and no junk table reaches the encoder."""
    src = tmp_path / "scan.tif"
    _noisy().save(src, "TIFF", compression="jpeg", quality=60)
    with Image.open(src) as im:
        assert pageimage.source_qtables(im) is not None
        im.tag_v2[347] = b"\xff\xd8\xff\xdb\x00\x43\x07" + b"\x00" * 10  # truncated table, bad id
        assert pageimage.source_qtables(im) is None


def test_sixteen_bit_or_odd_tables_fall_back_to_a_quality(tmp_path):
    """Tables libjpeg will not take as they are (16-bit values) give a bounded quality instead."""
    img = _noisy()
    out = pageimage.encode(img, (150.0, 150.0), tmp_path / "p", qtables={0: [300] * 64})
    with Image.open(out.path) as im:
        assert im.format == "JPEG" and pageimage.jpeg_quality(im.quantization) <= pageimage.JPEG_Q_LOSSLESS


def test_storage_settings_out_of_range_are_refused_by_name():
    """A floor above the ceiling, a quality outside 1-100 or an SSIM threshold outside [0, 1] would
    make the policy store nothing sane: refused when the settings load, naming the setting."""
    import pytest
    from sohoa.core.config import load_settings
    from sohoa.core.errors import ConfigError

    for env in ({"SOHOA_STORAGE_JPEG_FLOOR": "80", "SOHOA_STORAGE_JPEG_CEILING": "60"},
                {"SOHOA_STORAGE_JPEG_CEILING": "101"}, {"SOHOA_STORAGE_JPEG_FLOOR": "0"},
                {"SOHOA_STORAGE_SSIM_MIN": "1.5"}):
        with pytest.raises(ConfigError, match="storage_"):
            load_settings(dict(env, SOHOA_HOME="/nonexistent"))


def test_policy_on_tiny_and_blank_pages_and_an_unreachable_threshold(tmp_path):
    """A 16x16 page (fewer rows than one measured band), a blank page and a threshold no JPEG meets:
    the policy still writes one JPEG between the floor and the ceiling, never above the source's quality."""
    from sohoa.pipeline.ocr.storage_policy import StoragePolicy, store_page

    cases = [(_noisy(16, 16), None), (Image.new("L", (640, 900), 255), None), (_noisy(), 60)]
    for i, (im, src_q) in enumerate(cases):
        qtables = None
        if src_q:
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=src_q)
            qtables = {k: list(v) for k, v in Image.open(buf).quantization.items()}
        policy = StoragePolicy(ceiling=90, ssim_min=1.0, floor=40)
        out = store_page(im, (300.0, 300.0), tmp_path / f"p{i}", policy, qtables=qtables)
        if out.filter == "DCT":
            with Image.open(out.path) as stored:
                q = pageimage.jpeg_quality(stored.quantization)
            assert q is not None and 40 <= q <= (src_q or 90)
        else:  # a blank page is smaller as PNG: lossless
            assert out.filter == "Flate" and i == 1
