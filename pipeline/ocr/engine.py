"""Tesseract, run as a subprocess per page.

The cleaned grayscale page goes to `tesseract` on stdin as PGM (no temporary
file, no PNG encoding); TSV comes back on stdout. Each process gets
OMP_THREAD_LIMIT=1 so several pages in parallel do not oversubscribe the CPU
(with OpenMP on, one page was 6x slower in wall time on a 2-core box).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sohoa.core.errors import FatalError

TIMEOUT_S = 300


@dataclass(frozen=True)
class TessWord:
    """One word as Tesseract found it, in pixels of the image it was given."""

    text: str  # NFC
    conf: float  # 0..1
    left: int
    top: int
    width: int
    height: int
    block: int  # page-unique paragraph number (block, par) in reading order
    line: int  # page-unique line number in reading order
    line_box: tuple[int, int, int, int]  # the whole line: left, top, right, bottom
    alternatives: tuple[str, ...] = ()  # another spelling the ink allows (verify.unexplained_dots)
    verified: bool = False  # a second read agreed on its digits (verify.second_read)


class TesseractError(Exception):
    """Tesseract failed on one page (the caller turns this into a rejection)."""


@lru_cache(maxsize=1)
def tesseract_cmd() -> str:
    cmd = os.environ.get("SOHOA_TESSERACT") or shutil.which("tesseract")
    if not cmd:
        raise FatalError("tesseract not found on PATH (install tesseract-ocr with the 'vie' language)")
    return cmd


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def _pgm(gray: np.ndarray) -> bytes:
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ValueError("expected a 2-D uint8 grayscale image")
    h, w = gray.shape
    return b"P5\n%d %d\n255\n" % (w, h) + np.ascontiguousarray(gray).tobytes()


def _run(args: list[str], stdin: bytes) -> str:
    try:
        proc = subprocess.run(
            [tesseract_cmd(), "stdin", "stdout", *args],
            input=stdin,
            capture_output=True,
            env=_env(),
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise TesseractError(f"tesseract timed out after {TIMEOUT_S} s") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TesseractError("tesseract failed: " + (msg[-1] if msg else f"exit {proc.returncode}"))
    return proc.stdout.decode("utf-8", "replace")


def ocr(gray: np.ndarray, *, lang: str = "vie", dpi: int = 300, psm: int = 3) -> list[TessWord]:
    """Words of a grayscale page, in reading order."""
    tsv = _run(["-l", lang, "--psm", str(psm), "--dpi", str(int(round(dpi))), "tsv"], _pgm(gray))
    return parse_tsv(tsv)


def parse_tsv(tsv: str) -> list[TessWord]:
    rows = tsv.splitlines()
    lines: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}
    raw: list[tuple[tuple[int, int, int], str, float, int, int, int, int]] = []
    for row in rows[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        try:
            level = int(cols[0])
            key = (int(cols[2]), int(cols[3]), int(cols[4]))
            left, top, width, height = (int(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        if level == 4:
            lines[key] = (left, top, left + width, top + height)
        elif level == 5:
            text = unicodedata.normalize("NFC", cols[11]).strip()
            if not text or conf < 0:
                continue
            raw.append((key, text, conf, left, top, width, height))
    # Tesseract numbers blocks per page, paragraphs per block and lines per
    # paragraph: renumber (block, par) and (block, par, line) page-uniquely
    # in the order they come (Tesseract's reading order).
    block_no: dict[tuple[int, int], int] = {}
    line_no: dict[tuple[int, int, int], int] = {}
    out: list[TessWord] = []
    for key, text, conf, left, top, width, height in raw:
        b = block_no.setdefault(key[:2], len(block_no) + 1)
        ln = line_no.setdefault(key, len(line_no) + 1)
        lb = lines.get(key, (left, top, left + width, top + height))
        out.append(TessWord(text, max(0.0, min(1.0, conf / 100.0)), left, top, width, height, b, ln, lb))
    return out


_ROTATE_RE = re.compile(r"Rotate:\s*(\d+)")
_CONF_RE = re.compile(r"Orientation confidence:\s*([\d.]+)")


def osd(gray: np.ndarray, *, dpi: int = 150) -> tuple[int, float]:
    """(clockwise rotation that makes the page upright, confidence) from Tesseract OSD.

    (0, 0.0) when OSD cannot tell (too little text).
    """
    try:
        out = _run(["--psm", "0", "--dpi", str(int(round(dpi)))], _pgm(gray))
    except TesseractError:
        return 0, 0.0
    m, c = _ROTATE_RE.search(out), _CONF_RE.search(out)
    if not m:
        return 0, 0.0
    return int(m.group(1)) % 360, float(c.group(1)) if c else 0.0
