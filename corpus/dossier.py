"""A dossier (hồ sơ) scanned as one file: a judgment, the decision executing it and the
certificate of its completion, of the same person, one after another, optionally with
blank separator sheets, with the truth of each document's page range.

    gen = generate_dossier(out_dir / "batch" / "hs.pdf", seed=3, degradation="light")
    gen.parts  # [(1, 2), (4, 4), (5, 5)]: 1-based inclusive pages of the file, blanks in none
"""
from __future__ import annotations

import datetime as dt
import io
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sohoa.core.text import fold_marks
from sohoa.corpus import degrade, outputs
from sohoa.corpus.execution_text import delay_for, execution_doc
from sohoa.corpus.facts import Judgment, make_judgment
from sohoa.corpus.judgment_text import judgment_doc
from sohoa.corpus.layout import Layout, Page, Style, TextOp
from sohoa.corpus.render import render_pdf, render_raster

_MOTTO = re.compile(r"cong hoa|xa hoi chu nghia|viet nam$|doc lap|hanh phuc|^-+$")
KINDS = (("judgment", None), ("decision", "execute_sentence"), ("certificate", "completion"))


@dataclass
class GeneratedDossier:
    path: Path
    parts: list[tuple[int, int]]  # each document's pages in the file, 1-based inclusive
    blank_pages: list[int]
    documents: list[dict[str, Any]] = field(default_factory=list)  # doc_type, decision_kind, fields
    page_texts: list[str] = field(default_factory=list)  # the truth of each page's text ('' for a blank)

    def truth(self) -> dict[str, Any]:
        return {"source": self.path.name, "parts": [list(p) for p in self.parts], "blank_pages": self.blank_pages,
                "documents": [{**d, "pages": list(p)} for d, p in zip(self.documents, self.parts)]}


def _judgment(rng: random.Random) -> Judgment:
    """A first-instance judgment to prison of one person: it has an execution and a completion."""
    for _ in range(200):
        j = make_judgment(rng, dt.date(2017, 1, 1) + dt.timedelta(days=rng.randint(0, 2000)), "ST",
                          co_defendants=0.0)
        if j.subject.sentence.kind == "imprisonment" and (j.subject.sentence.months or 0) <= 60:
            return j
    raise RuntimeError("no judgment to prison found for a dossier")


def _pages(rng: random.Random, doc) -> list[Page]:
    return Layout(doc, Style.random(rng), rng).run()


def generate_dossier(path: Path, seed: int = 0, degradation: str = "light", blank_separator: bool = True,
                     max_judgment_pages: int | None = None, text_layer: bool = False,
                     dpi: int = 200, motto_lost: tuple[int, ...] = ()) -> GeneratedDossier:
    """Write the dossier's scan to `path` (an image-only PDF, or a born-digital one with
    text_layer) and return the truth. max_judgment_pages: keep only the judgment's first pages
    (a short test file; the kept pages are still the judgment's, continuation included).
    motto_lost: documents (0 the judgment) whose national motto is torn off the first page."""
    rng = random.Random(f"sohoa-dossier:{seed}")
    j = _judgment(rng)
    docs: list[tuple[list[Page], dict[str, Any]]] = []
    jdoc, jfields, _, _ = judgment_doc(rng, j)
    jpages = _pages(rng, jdoc)[:max_judgment_pages] if max_judgment_pages else _pages(rng, jdoc)
    docs.append((jpages, {"doc_type": "judgment", "decision_kind": None, "fields": jfields}))
    for doc_type, kind in KINDS[1:]:
        when = delay_for(kind, doc_type, rng, j)
        edoc, efields, _, _ = execution_doc(rng, doc_type, kind, j, when)
        docs.append((_pages(rng, edoc), {"doc_type": doc_type, "decision_kind": kind, "fields": efields}))
    for k in motto_lost:
        first = docs[k][0][0]
        first.ops = [op for op in first.ops if not (isinstance(op, TextOp) and _MOTTO.search(fold_marks(op.text)))]
        first.lines = [ln for ln in first.lines if not _MOTTO.search(fold_marks(ln))]
    sheets: list[Page | None] = []  # None: a blank separator sheet
    parts: list[tuple[int, int]] = []
    for k, (pages, _) in enumerate(docs):
        if k and blank_separator and rng.random() < 0.6:
            sheets.append(None)
        parts.append((len(sheets) + 1, len(sheets) + len(pages)))
        sheets.extend(pages)
    blank_pages = [i for i, p in enumerate(sheets, 1) if p is None]
    path.parent.mkdir(parents=True, exist_ok=True)
    if text_layer:
        buf = io.BytesIO()
        render_pdf([p if p is not None else Page() for p in sheets], buf, title="Hồ sơ")
        path.write_bytes(buf.getvalue())
    else:
        dplan = degrade.plan(rng, degradation)
        images = []
        for pno, page in enumerate(sheets, 1):
            arr = render_raster(page if page is not None else Page(), dpi)
            if page is None:  # a blank sheet: paper and a little scanner noise, no ink
                noise = np.random.default_rng(seed * 31 + pno).normal(0, 2.0, arr.shape)
                arr = np.clip(arr.astype(np.float32) - 6 + noise, 0, 255).astype(np.uint8)
            else:
                arr, _ = degrade.apply(arr, dplan, rng, pno)
            images.append(outputs.to_mode(arr, "gray"))
        outputs.write_image_pdf(path, images, dpi, {"none": 92, "light": 88, "medium": 80, "heavy": 65}[degradation])
    return GeneratedDossier(path, parts, blank_pages, [d for _, d in docs],
                            [p.text if p is not None else "" for p in sheets])
