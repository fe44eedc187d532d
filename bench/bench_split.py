"""The boundary model on OCR'd generated dossier scans (README "Dossiers and many-document scans").

    .venv/bin/python bench/bench_split.py --seeds 100-104 --level light
    .venv/bin/python bench/bench_split.py --seeds 200-204 --level heavy

Each seed's dossier (corpus/dossier.py: judgment, execution decision, completion certificate,
blank sheets) is scanned to an image PDF, every page goes through the pipeline's own OCR, the
OCR'd PDF is assembled (the blank-sheet test reads its pixels), and the cuts are compared with
the truth: cut precision and recall, exact page ranges, parts below the review threshold.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from sohoa.core.config import Settings
from sohoa.core.types import SourceDocument, SourceFile
from sohoa.core.workarea import WorkArea
from sohoa.corpus.dossier import generate_dossier
from sohoa.pipeline.extract.boundaries import segment
from sohoa.pipeline.intake import sha256_file
from sohoa.pipeline.ocr.document import assemble
from sohoa.pipeline.ocr.ocrpage import process_page
from sohoa.pipeline.ocr.pages import plan_pages
from sohoa.pipeline.split import ink_of_sparse_pages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="100-104")
    ap.add_argument("--level", default="light", choices=["none", "light", "medium", "heavy"])
    ap.add_argument("--threshold", type=float, default=0.9)
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.seeds.split("-"))
    settings = Settings()
    tp = fp = fn = exact = unsure = 0
    for seed in range(lo, hi + 1):
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            gen = generate_dossier(d / "hs.pdf", seed=seed, degradation=a.level)
            p = gen.path
            doc = SourceDocument(p.name, "pdf_image", [SourceFile(p.resolve(), p.name, sha256_file(p),
                                                                  p.stat().st_size)], len(gen.page_texts))
            results = [process_page(doc, pl, settings, d) for pl in plan_pages(doc, settings, d)]
            assemble(results, d / "ocr.pdf", d)
            pages = [r.text for r in results]
            seg = segment(pages, ink_of_sparse_pages(WorkArea(d.parent, d.name), pages))
        found, truth = {x for x, _ in seg.parts[1:]}, {x for x, _ in gen.parts[1:]}
        tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
        exact += seg.parts == gen.parts and seg.blank_pages == gen.blank_pages
        unsure += sum(c < a.threshold for c in seg.confidences)
        print(f"{a.level} {seed}: truth {gen.parts} blank {gen.blank_pages} | found {seg.parts} "
              f"blank {seg.blank_pages} confidences {seg.confidences}", flush=True)
    n = hi - lo + 1
    print(f"{a.level}, {n} dossiers: cut precision {tp / max(1, tp + fp):.3f}, recall {tp / max(1, tp + fn):.3f} "
          f"({tp} of {tp + fn} cuts, {fp} false), exact ranges {exact}/{n}, parts below {a.threshold}: {unsure}")


if __name__ == "__main__":
    main()
