"""Tesseract in this process (tesserocr): each thread keeps one loaded model per language.

The subprocess engine starts `tesseract` and loads the language model again for every page,
OSD and second-read strip. Here each thread (a page worker of the embedded pool, or the one
thread of a Celery prefork child) keeps a `PyTessBaseAPI` per language for the life of the
process: the model loads once, then each call only sets the image, the page segmentation mode
and the resolution. Recognition runs without the GIL, so threads read pages side by side.

The page segmentation mode is a per-call variable, not part of the model: one API per
language serves psm 3 (pages) and psm 6 (second-read strips) alike, which halves the models a
thread holds.

Bounds: recognition stops after TIMEOUT_S (Tesseract's own deadline, checked between words;
layout analysis before it is not covered, as it was not by the subprocess's kill either --
that killed the whole call). Memory: tesserocr and libtesseract ~15 MB once, then one loaded
model per language per thread (resident: vie ~12 MB, eng ~14 MB, osd ~31 MB) plus the page being
read, freed by Clear() after each call.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
import threading
from functools import lru_cache
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

TIMEOUT_S = 300
OSD_LANG = "osd"
# the header line of the CLI's TSV output (GetTSVText gives the rows only)
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


class EngineUnavailable(Exception):
    """tesserocr cannot be imported or cannot load a model (the caller falls back or fails)."""


class RecognitionFailed(Exception):
    """The engine could not read one image (engine.py turns this into TesseractError)."""


def _limit_openmp() -> None:
    """Debian's libtesseract is built with OpenMP, and libgomp reads OMP_THREAD_LIMIT once, when
    it is loaded (importing tesserocr loads it): set it first, or each recognition spreads over
    all cores and two pages in parallel oversubscribe them (6x slower wall on 2 cores with the
    CLI). The subprocess engine sets the same limit in each child's environment."""
    if "OMP_THREAD_LIMIT" in os.environ:
        return
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            if "libgomp" in maps.read():
                log.warning("libgomp was loaded before tesserocr: OMP_THREAD_LIMIT=1 may not apply; "
                            "set it in the environment of the worker")
    except OSError:
        pass


@lru_cache(maxsize=1)
def _module() -> Any:
    _limit_openmp()
    try:
        import tesserocr
    except ImportError as exc:  # not installed, or its libtesseract is missing
        raise EngineUnavailable(f"tesserocr cannot be imported ({exc})") from None
    return tesserocr


def available() -> bool:
    try:
        _module()
    except EngineUnavailable:
        return False
    return True


def version() -> str:
    """The libtesseract version tesserocr runs, e.g. '5.3.0'."""
    m = re.search(r"tesseract\s+v?([\w.\-]+)", _module().tesseract_version())
    return m.group(1) if m else "unknown"


_LIST_LANGS_DIR = re.compile(r'"([^"]+)"')


@lru_cache(maxsize=1)
def tessdata_dir(tesseract_cmd: str | None) -> str:
    """The folder of the language models: the CLI's own (same models for both engines), else
    TESSDATA_PREFIX, else the one tesserocr was built with."""
    if tesseract_cmd:
        try:
            out = subprocess.run([tesseract_cmd, "--list-langs"], capture_output=True, timeout=30)
            m = _LIST_LANGS_DIR.search(out.stdout.decode("utf-8", "replace").split("\n", 1)[0])
            if m and os.path.isdir(m.group(1)):
                return m.group(1)
        except (OSError, subprocess.SubprocessError):
            pass
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"]
    path, _langs = _module().get_languages()
    return str(path)


_local = threading.local()


def _api(lang: str, datapath: str) -> Any:
    """This thread's loaded API for `lang` (loaded on first use, kept for the thread's life)."""
    apis: dict[str, Any] | None = getattr(_local, "apis", None)
    if apis is None:
        apis = _local.apis = {}
    api = apis.get(lang)
    if api is None:
        tesserocr = _module()
        try:
            api = tesserocr.PyTessBaseAPI(path=datapath, lang=lang)
        except RuntimeError as exc:
            raise EngineUnavailable(f"tesseract cannot load language {lang!r} from {datapath} ({exc})") from None
        apis[lang] = api
    return api


def loaded_languages() -> list[str]:
    """The languages this thread holds loaded (tests, diagnostics)."""
    return sorted(getattr(_local, "apis", {}) or {})


def _set_image(api: Any, gray: np.ndarray, dpi: int) -> None:
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ValueError("expected a 2-D uint8 grayscale image")
    h, w = gray.shape
    if h < 1 or w < 1:
        raise RecognitionFailed(f"empty image ({w}x{h})")
    api.SetImageBytes(np.ascontiguousarray(gray).tobytes(), w, h, 1, w)
    # the CLI's --dpi: the resolution the page is read at (a raw buffer carries none)
    api.SetSourceResolution(int(dpi))


def ocr_tsv(gray: np.ndarray, *, lang: str, dpi: int, psm: int, datapath: str) -> str:
    """The CLI's `tsv` output for a grayscale image (header line included)."""
    api = _api(lang, datapath)
    try:
        api.SetPageSegMode(int(psm))
        _set_image(api, gray, dpi)
        if not api.Recognize(timeout=TIMEOUT_S * 1000):
            raise RecognitionFailed(f"recognition failed or timed out after {TIMEOUT_S} s")
        body = api.GetTSVText(0) or ""
    finally:
        api.Clear()  # frees the page and its results; the model stays loaded
    return TSV_HEADER + "\n" + body


def osd(gray: np.ndarray, *, dpi: int, datapath: str) -> tuple[int, float] | None:
    """(clockwise rotation that makes the page upright, orientation confidence), as the CLI's
    `--psm 0` prints them ('Rotate', 'Orientation confidence'); None when OSD cannot tell."""
    api = _api(OSD_LANG, datapath)
    try:
        api.SetPageSegMode(_module().PSM.OSD_ONLY)
        _set_image(api, gray, dpi)
        res = api.DetectOrientationScript()
    finally:
        api.Clear()
    if not res:
        return None
    # orient_deg is the page's counter-clockwise orientation; the CLI prints the clockwise turn
    # that undoes it (OrientationIdToValue)
    return (360 - int(res["orient_deg"])) % 360, round(float(res["orient_conf"]), 2)  # the CLI prints %.2f


# each glyph read: its symbol, its box, and the LSTM's choices for it (text, score 0-100)
SymbolRead = tuple[str, tuple[int, int, int, int], tuple[tuple[str, float], ...]]


def symbol_choices(gray: np.ndarray, *, lang: str, dpi: int, psm: int, datapath: str) -> list[SymbolRead]:
    """The image read glyph by glyph, in the iterator's reading order, each glyph with the LSTM's
    per-symbol choices of the best path (lstm_choice_mode 2; the CLI has no such output)."""
    tesserocr = _module()
    api = _api(lang, datapath)
    level = tesserocr.RIL.SYMBOL
    out: list[SymbolRead] = []
    try:
        api.SetVariable("lstm_choice_mode", "2")
        api.SetPageSegMode(int(psm))
        _set_image(api, gray, dpi)
        if not api.Recognize(timeout=TIMEOUT_S * 1000):
            raise RecognitionFailed(f"recognition failed or timed out after {TIMEOUT_S} s")
        for r in tesserocr.iterate_level(api.GetIterator(), level):
            sym, box = r.GetUTF8Text(level), r.BoundingBox(level)
            if sym and box is not None:
                out.append((sym, box, tuple((c.GetUTF8Text() or "", c.Confidence()) for c in r.GetChoiceIterator())))
    except RuntimeError as exc:
        raise RecognitionFailed(str(exc)) from None
    finally:
        api.SetVariable("lstm_choice_mode", "0")
        api.Clear()
    return out
