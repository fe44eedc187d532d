"""Hostile files at intake: decompression bombs are refused fast, in bounded memory.

Every PDF parse runs in a child process that limits its own address space and
CPU time, killed at a wall-clock timeout (pipeline/pdfprobe.py); Flate streams
are counted in chunks and never held whole. The bombs are built here, small:
a 2 GiB zero stream compresses to about 2 MB (corpus/badfiles.py). Figures
are measured and printed (pytest -s); the bounds asserted are loose, this
machine is shared and noisy.
"""
from __future__ import annotations

import dataclasses
import json
import subprocess
import time
from pathlib import Path

import pytest
from sohoa.core.config import load_settings
from sohoa.corpus.badfiles import (
    bomb_jpeg,
    bomb_png,
    bomb_tiff,
    flate_bomb_pdf,
    image_bomb_pdf,
    inline_image_bomb_pdf,
    jpeg_lie_pdf,
    many_page_tiff,
    run_length_bomb_pdf,
)
from sohoa.pipeline.intake import Intake, Rejection
from sohoa.pipeline.pdfprobe import CHILD, ProbeLimits, child_request


@pytest.fixture
def settings(tmp_path):
    return load_settings(env={"SOHOA_HOME": str(tmp_path / "home")})


def _one(settings, tmp_path: Path, name: str, data: bytes) -> tuple[Rejection, float]:
    batch = tmp_path / "batch"
    batch.mkdir(exist_ok=True)
    (batch / name).write_bytes(data)
    t0 = time.monotonic()
    (item,) = list(Intake(settings).scan(batch))
    spent = time.monotonic() - t0
    assert isinstance(item, Rejection), item
    return item, spent


def _child(path: Path, limits: ProbeLimits) -> tuple[dict, float]:
    """The probe child run directly: its answer carries its own peak RSS."""
    t0 = time.monotonic()
    proc = subprocess.run(CHILD, input=child_request(path, limits), capture_output=True, timeout=60)
    return json.loads(proc.stdout), time.monotonic() - t0


def test_a_2_gib_flate_content_stream_in_a_2_mb_pdf_is_refused_fast_in_little_memory(settings, tmp_path):
    data = flate_bomb_pdf(2048)
    assert len(data) < 3 << 20  # the file: about 2 MB on disk
    item, spent = _one(settings, tmp_path, "HS_bomb.pdf", data)
    assert "decompression bomb" in item.reason and "stream 4 0 R" in item.reason, item.reason
    assert spent < 30  # measured ~1 s here (the issue: 41 s)
    answer, child_spent = _child(tmp_path / "batch" / "HS_bomb.pdf", ProbeLimits.from_settings(settings))
    rss_mib = answer["max_rss_kib"] / 1024
    print(f"\n2 GiB flate bomb: intake {spent:.2f} s; probe child {child_spent:.2f} s, peak RSS {rss_mib:.0f} MiB")
    assert "decompression bomb" in answer["rejected"]
    assert rss_mib < 500  # the issue: 4.3 GB


def test_an_image_that_inflates_past_its_declared_pixels_is_refused(settings, tmp_path):
    item, spent = _one(settings, tmp_path, "scan.pdf", image_bomb_pdf(1024, 1000, 1000))
    assert "decompression bomb" in item.reason and "1000x1000 pixels" in item.reason, item.reason
    assert spent < 30


def test_the_memory_limit_stops_what_the_count_does_not(settings, tmp_path):
    """RunLength is decoded whole by qpdf: only the child's RLIMIT_AS stops it."""
    small = dataclasses.replace(settings, parse_memory_bytes=200 << 20, max_content_bytes=1 << 30)
    item, spent = _one(small, tmp_path, "rl.pdf", run_length_bomb_pdf(384))
    assert "over the memory limit of 200 MiB" in item.reason, item.reason
    assert spent < 30


def test_the_time_limit_stops_a_parse_that_runs_on(settings, tmp_path):
    """With the size count out of the way (a limit of 4 GiB), the wall-clock timeout ends it."""
    slow = dataclasses.replace(settings, max_content_bytes=4 << 30, parse_timeout=1.5)
    item, spent = _one(slow, tmp_path, "bomb.pdf", flate_bomb_pdf(2048))
    assert "not read within 1.5 s" in item.reason, item.reason
    assert spent < 15


@pytest.mark.parametrize("name,data,needle", [
    ("trang.png", bomb_png(80_000, 80_000), "6,400,000,000 pixels"),
    ("trang.tif", bomb_tiff(100_000, 100_000), "10,000,000,000 pixels"),
    ("trang.jpg", bomb_jpeg(60_000, 60_000), "3,600,000,000 pixels"),
])
def test_image_bombs_declaring_huge_pages_are_refused_from_the_header(settings, tmp_path, name, data, needle):
    item, spent = _one(settings, tmp_path, name, data)
    assert "decompression bomb" in item.reason and needle in item.reason, item.reason
    assert spent < 10


def test_a_page_over_the_pixel_limit_but_under_pils_is_refused_too(tmp_path):
    small = load_settings(env={"SOHOA_HOME": str(tmp_path / "home")}, max_page_pixels=1000 * 1000)
    item, _ = _one(small, tmp_path, "big.tif", bomb_tiff(2000, 2000))
    assert "image too large" in item.reason and "2000x2000" in item.reason, item.reason


def test_an_inline_image_declaring_a_huge_page_is_refused(settings, tmp_path):
    item, spent = _one(settings, tmp_path, "inline.pdf", inline_image_bomb_pdf(100_000, 100_000))
    assert "inline image on page 1" in item.reason and "100000x100000 pixels" in item.reason, item.reason
    assert spent < 30


def test_a_tiff_of_20000_tiny_pages_is_refused_without_walking_them_all(settings, tmp_path):
    item, spent = _one(settings, tmp_path, "many.tif", many_page_tiff(20_000))  # 2.3 MB
    assert "too many pages" in item.reason, item.reason
    assert spent < 10  # PIL's n_frames walks them all, slower with each (200,000: minutes)


def test_a_tiff_whose_pages_loop_is_refused(settings, tmp_path):
    item, _ = _one(settings, tmp_path, "loop.tif", many_page_tiff(3, loop=True))
    assert "loop" in item.reason, item.reason


def test_a_tiff_of_a_few_tiny_pages_is_still_a_document(settings, tmp_path):
    batch = tmp_path / "ok"
    batch.mkdir()
    (batch / "three.tif").write_bytes(many_page_tiff(3))
    (item,) = list(Intake(settings).scan(batch))
    assert not isinstance(item, Rejection) and item.kind == "tiff" and item.page_count == 3, item


def test_a_pdf_jpeg_whose_header_declares_more_than_the_pdf_says_is_refused(settings, tmp_path):
    item, spent = _one(settings, tmp_path, "lie.pdf", jpeg_lie_pdf(60_000, 60_000))
    assert "the JPEG in stream 4 0 R declares 60000x60000 pixels" in item.reason, item.reason
    assert spent < 30
