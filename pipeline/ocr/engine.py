"""Tesseract: in this process (tesserocr, a model loaded once per thread) or a subprocess per call.

The engine is chosen by the setting `ocr_engine` (SOHOA_OCR_ENGINE): "auto" (the default) reads
in this process when tesserocr imports and runs the CLI's libtesseract version (another version
reads with other confidences), else with the subprocess; "api" requires tesserocr;
"subprocess" always starts the CLI. Both give the same TSV rows, parsed here the same way
(tessapi.py has the in-process side).

Subprocess: the cleaned grayscale page goes to `tesseract` on stdin as PGM (no
temporary file, no PNG encoding); TSV comes back on stdout. Each process gets
OMP_THREAD_LIMIT=1 so several pages in parallel do not oversubscribe the CPU
(with OpenMP on, one page was 6x slower in wall time on a 2-core box).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sohoa.core.errors import ConfigError, FatalError
from sohoa.pipeline.ocr import tessapi

log = logging.getLogger(__name__)

TIMEOUT_S = 300
ENGINES = ("auto", "api", "subprocess")


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
    verified: bool = False  # a second read agreed: its digits (verify.second_read), its spelling (letter_reread)


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


_forced: str | None = None


def use_engine(name: str | None) -> None:
    """Override the setting for this process ("auto", "api", "subprocess"; None: the setting again)."""
    global _forced
    if name is not None and name not in ENGINES:
        raise ConfigError(f"ocr_engine must be one of {', '.join(ENGINES)}, not {name!r}")
    _forced = name
    _resolve.cache_clear()


@lru_cache(maxsize=1)
def _configured() -> str:
    from sohoa.core.config import load_settings

    name = str(load_settings().ocr_engine or "auto").lower()
    if name not in ENGINES:
        raise ConfigError(f"ocr_engine must be one of {', '.join(ENGINES)}, not {name!r}")
    return name


@lru_cache(maxsize=4)
def _resolve(name: str) -> str:
    if name == "subprocess":
        return name
    try:
        tessapi._module()
    except tessapi.EngineUnavailable as exc:
        if name == "api":
            raise FatalError(f"ocr_engine = api, but {exc}") from None
        return "subprocess"
    if name == "auto":
        # another libtesseract than the CLI's (e.g. a PyPI wheel bundling its own) reads the same
        # text with other confidences, which the thresholds were not measured on
        cli, lib = _cli_version(), tessapi.version()
        if cli and cli != lib:
            log.warning("tesserocr runs Tesseract %s, the CLI is %s: OCR runs the CLI (ocr_engine = api "
                        "to use tesserocr anyway)", lib, cli)
            return "subprocess"
    return "api"


@lru_cache(maxsize=1)
def _cli_version() -> str | None:
    try:
        out = subprocess.run([tesseract_cmd(), "--version"], capture_output=True, text=True, timeout=30)
    except (FatalError, OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"tesseract\s+v?([\w.\-]+)", out.stdout + out.stderr)
    return m.group(1) if m else None


def engine_in_use() -> str:
    """"api" or "subprocess": what ocr() and osd() run in this process."""
    return _resolve(_forced or _configured())


def _datapath() -> str:
    try:
        cmd: str | None = tesseract_cmd()
    except FatalError:
        cmd = None
    return tessapi.tessdata_dir(cmd)


def ocr(gray: np.ndarray, *, lang: str = "vie", dpi: int = 300, psm: int = 3) -> list[TessWord]:
    """Words of a grayscale page, in reading order."""
    dpi = int(round(dpi))
    if engine_in_use() == "api":
        try:
            tsv = tessapi.ocr_tsv(gray, lang=lang, dpi=dpi, psm=psm, datapath=_datapath())
        except tessapi.RecognitionFailed as exc:
            raise TesseractError(f"tesseract failed: {exc}") from None
        except tessapi.EngineUnavailable as exc:  # e.g. a language not installed
            raise TesseractError(str(exc)) from None
        return parse_tsv(tsv)
    tsv = _run(["-l", lang, "--psm", str(psm), "--dpi", str(dpi), "tsv"], _pgm(gray))
    return parse_tsv(tsv)


def symbol_choices(gray: np.ndarray, *, lang: str, dpi: int, psm: int = 6) -> list[tessapi.SymbolRead] | None:
    """The image read glyph by glyph with the LSTM's choices for each (tessapi.symbol_choices);
    None when the in-process engine is not in use (the CLI gives no choices) or failed."""
    if engine_in_use() != "api":
        return None
    try:
        return tessapi.symbol_choices(gray, lang=lang, dpi=int(round(dpi)), psm=psm, datapath=_datapath())
    except (tessapi.RecognitionFailed, tessapi.EngineUnavailable):
        return None


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
    if engine_in_use() == "api":
        try:
            got = tessapi.osd(gray, dpi=int(round(dpi)), datapath=_datapath())
        except (tessapi.RecognitionFailed, tessapi.EngineUnavailable):
            return 0, 0.0
        return got if got else (0, 0.0)
    try:
        out = _run(["--psm", "0", "--dpi", str(int(round(dpi)))], _pgm(gray))
    except TesseractError:
        return 0, 0.0
    m, c = _ROTATE_RE.search(out), _CONF_RE.search(out)
    if not m:
        return 0, 0.0
    return int(m.group(1)) % 360, float(c.group(1)) if c else 0.0
