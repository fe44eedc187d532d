"""Tesseract in the worker process (tesserocr) against the subprocess engine: same words, one
loaded model per thread, failures as TesseractError, the subprocess when forced or when tesserocr
cannot be imported."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from functools import lru_cache

import numpy as np
import pytest
from sohoa.corpus import scans
from sohoa.pipeline.ocr import engine, tessapi

pytestmark = pytest.mark.skipif(not tessapi.available(), reason="tesserocr is not installed")


@lru_cache(maxsize=1)
def _page() -> np.ndarray:
    """The upper part of a generated 300 dpi page with a seal (heading, numbers, a paragraph)."""
    img, _ = scans.scan_page(7, paragraphs=scans.varied_paragraphs(7), seal=True)
    g = np.asarray(img.convert("L"))
    return np.ascontiguousarray(g[: g.shape[0] * 2 // 5])


@pytest.fixture
def forced():
    yield engine.use_engine
    engine.use_engine(None)


def test_api_reads_the_same_words_as_the_subprocess(forced):
    forced("subprocess")
    assert engine.engine_in_use() == "subprocess"
    want = engine.ocr(_page(), dpi=300, psm=3)
    forced("api")
    assert engine.engine_in_use() == "api"
    got = engine.ocr(_page(), dpi=300, psm=3)
    assert len(want) > 30
    assert got == want  # text (NFC), confidence, boxes, block/line numbers, line boxes
    # a loaded model read again (no state carried from the page before), and a strip in psm 6
    assert engine.ocr(_page(), dpi=300, psm=3) == want
    strip = np.ascontiguousarray(_page()[: _page().shape[0] // 3])
    forced("subprocess")
    want6 = engine.ocr(strip, dpi=450, psm=6)
    forced("api")
    assert engine.ocr(strip, dpi=450, psm=6) == want6


def test_osd_agrees_with_the_cli(forced):
    img, _ = scans.scan_page(3, paragraphs=scans.varied_paragraphs(3))
    small = np.ascontiguousarray(np.asarray(img.convert("L"))[::2, ::2])
    for k in (0, 1, 2):
        turned = np.ascontiguousarray(np.rot90(small, k=k))
        forced("subprocess")
        want = engine.osd(turned, dpi=150)
        forced("api")
        assert engine.osd(turned, dpi=150) == want
        assert want[0] == (0, 90, 180)[k]


def test_two_threads_read_at_once_each_with_its_own_model(forced):
    forced("api")
    want = engine.ocr(_page(), dpi=300, psm=3)
    start = threading.Barrier(2)
    results: dict[str, list] = {}
    models: dict[str, list[str]] = {}

    def work(name: str) -> None:
        start.wait()
        results[name] = engine.ocr(_page(), dpi=300, psm=3)
        models[name] = tessapi.loaded_languages()

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == {"a": want, "b": want}
    assert models == {"a": ["vie"], "b": ["vie"]}


@pytest.mark.parametrize("name", ["api", "subprocess"])
def test_a_broken_image_is_a_tesseract_error(forced, name):
    forced(name)
    with pytest.raises(engine.TesseractError):
        engine.ocr(np.zeros((0, 40), dtype=np.uint8))
    with pytest.raises(engine.TesseractError):  # a language that is not installed
        engine.ocr(np.full((40, 40), 255, dtype=np.uint8), lang="xx_not_installed")
    assert engine.osd(np.zeros((0, 40), dtype=np.uint8)) == (0, 0.0)


def _engine_in_child(env: dict[str, str], block_tesserocr: bool) -> str:
    code = ("import sys\n"
            + ("sys.modules['tesserocr'] = None\n" if block_tesserocr else "")
            + "import numpy as np\n"
            "from sohoa.pipeline.ocr import engine\n"
            "g = np.full((120, 400), 255, dtype=np.uint8)\n"
            "g[50:70, 40:360:20] = 0\n"
            "engine.ocr(g, psm=6)\n"
            "print(engine.engine_in_use())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_the_setting_picks_the_engine_and_the_subprocess_is_the_fallback(tmp_path):
    home = {"SOHOA_HOME": str(tmp_path)}
    assert _engine_in_child({**home, "SOHOA_OCR_ENGINE": "auto"}, block_tesserocr=False) == "api"
    assert _engine_in_child({**home, "SOHOA_OCR_ENGINE": "subprocess"}, block_tesserocr=False) == "subprocess"
    # tesserocr cannot be imported: auto reads with the CLI
    assert _engine_in_child({**home, "SOHOA_OCR_ENGINE": "auto"}, block_tesserocr=True) == "subprocess"
    (tmp_path / "sohoa.toml").write_text('ocr_engine = "subprocess"\n', "utf-8")
    assert _engine_in_child(home, block_tesserocr=False) == "subprocess"


def test_api_insisted_on_without_tesserocr_is_fatal(tmp_path):
    code = ("import sys\nsys.modules['tesserocr'] = None\n"
            "from sohoa.pipeline.ocr import engine\n"
            "engine.engine_in_use()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "SOHOA_HOME": str(tmp_path), "SOHOA_OCR_ENGINE": "api"})
    assert out.returncode != 0 and "ocr_engine = api" in out.stderr


def test_an_unknown_engine_name_is_refused():
    from sohoa.core.errors import ConfigError

    with pytest.raises(ConfigError):
        engine.use_engine("gpu")


def test_auto_keeps_the_cli_when_tesserocr_runs_another_tesseract(tmp_path):
    """A tesserocr linked to another libtesseract (a PyPI wheel bundles its own) reads the same text
    with other confidences: auto stays with the CLI, api insists."""
    code = ("from sohoa.pipeline.ocr import engine, tessapi\n"
            "tessapi.version = lambda: '0.0.0'\n"
            "print(engine.engine_in_use())\n")
    got = {}
    for name in ("auto", "api"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "SOHOA_HOME": str(tmp_path), "SOHOA_OCR_ENGINE": name})
        assert out.returncode == 0, out.stderr
        got[name] = out.stdout.split()[-1]
    assert got == {"auto": "subprocess", "api": "api"}
