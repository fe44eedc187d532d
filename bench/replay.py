"""Re-run the pipeline on a corpus without OCR'ing it again: the extractor's and the
reconciler's fast loop (issue 15).

    python bench/replay.py record DOCS SEED LEVEL [--variation wide]   # generate, process, cache the OCR
    python bench/replay.py replay SEED LEVEL [--variation wide]        # fresh catalogue, cached OCR, score

`record` generates the corpus (`sohoa sample`, no bad files) into bench/out/replay/SEED-LEVEL-VAR/,
imports its registry and runs `sohoa process` in this process with one hook: after each page's
OCR stage the document's work area (plan, page results, page images) is copied to cache/. `replay`
starts from an empty data directory at the same path (the page results name their images by
absolute path), imports the registry again and runs `sohoa process` with the cached pages put back
before each OCR stage, so only intake, assembly, split, extraction, signing, storing and
reconciliation run: a minute where the OCR took many. Both score the report with
bench/accuracy.py (written next to it as accuracy.txt).

Development seeds only (< 10000): a held-out seed is processed once by bench/run_accuracy.sh.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "replay"


def _corpus_dir(seed: int, level: str, variation: str) -> Path:
    return OUT / f"{seed}-{level}-{variation}"


def _hook(cache: Path, record: bool) -> None:
    """Wrap the OCR stage: copy the work area to the cache after it (record) or back before it (replay)."""
    from sohoa.pipeline import orchestrate

    stage = orchestrate.ocr_page

    def ocr_page(rt, batch, doc, index):  # type: ignore[no-untyped-def]
        document_id = orchestrate.document_id_for(doc)
        work, saved = rt.work(document_id), cache / document_id
        if not record and saved.is_dir() and not work.has(f"page-{index:04d}.pkl"):
            shutil.copytree(saved, work.dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".lock", ".*"))
        stage(rt, batch, doc, index)
        if record and work.dir.is_dir():
            shutil.copytree(work.dir, saved, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".lock", ".*"))

    orchestrate.ocr_page = ocr_page  # type: ignore[assignment]


def _cli(*args: str) -> None:
    from sohoa.cli import main

    try:
        main.main(list(args), standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise


def _score(d: Path) -> None:
    text = subprocess.run([sys.executable, str(ROOT / "bench" / "accuracy.py"), str(d / "report.json"),
                           str(d / "s" / "truth.jsonl")], capture_output=True, text=True, check=True).stdout
    (d / "accuracy.txt").write_text(text, "utf-8")
    print(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["record", "replay"])
    ap.add_argument("args", nargs="+", help="record: DOCS SEED LEVEL; replay: SEED LEVEL")
    ap.add_argument("--variation", default="wide")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    if a.mode == "record":
        docs, seed, level = int(a.args[0]), int(a.args[1]), a.args[2]
    else:
        docs, seed, level = 0, int(a.args[0]), a.args[1]
    if seed >= 10000:
        raise SystemExit(f"seed {seed}: replay is for development seeds (< 10000)")
    d = _corpus_dir(seed, level, a.variation)
    home, cache = d / "home", d / "cache"
    if a.mode == "record":
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        _cli("sample", str(d / "s"), "--docs", str(docs), "--seed", str(seed), "--degradation", level,
             "--no-bad-files", "--variation", a.variation)
    elif not cache.is_dir():
        raise SystemExit(f"{d}: nothing recorded (run `record` first)")
    shutil.rmtree(home, ignore_errors=True)
    import os

    os.environ["SOHOA_HOME"] = str(home)
    os.environ["SOHOA_OCR_JOBS"] = str(a.jobs)
    _hook(cache, record=a.mode == "record")
    _cli("registry", "import", str(d / "s" / "registry.jsonl"))
    _cli("process", "-q", str(d / "s" / "batch"), "--report", str(d / "report.json"))
    _score(d)


if __name__ == "__main__":
    main()
