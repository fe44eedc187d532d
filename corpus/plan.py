"""Which documents a batch holds: kinds, people's dossiers, dates.

The slot list covers every document kind in each run of 20 documents; a
decision or certificate is often about the subject of a judgment already in
the batch (a person's paper file holds the judgment and its execution papers).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sohoa.corpus import variation
from sohoa.corpus.execution_text import delay_for, sentence_kind_for
from sohoa.corpus.facts import Judgment, make_judgment, rand_date

CAP = dt.date(2025, 12, 31)
WIDE_CAP = dt.date(2026, 9, 30)  # wide variation: papers of the courts and provinces after the 2025 reforms too


def _cap() -> dt.date:
    return WIDE_CAP if variation.is_wide() else CAP


def _judgment_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A judgment's date; the wide variation puts a third of them after the 2025 reforms."""
    if variation.is_wide() and rng.random() < 0.35:
        return rand_date(rng, dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    return rand_date(rng, start, end)
BASE_SLOTS = (["J-ST"] * 6 + ["J-PT"] * 2 + [("decision", k) for k in
              ["execute_sentence", "postpone", "suspend", "reduce", "shorten_probation", "exempt", "parole", "expunge"]]
              + [("certificate", "completion"), ("certificate", "expunge"), ("decision", "execute_sentence"),
                 ("certificate", "completion")])


@dataclass
class DocSpec:
    doc_type: str
    kind: str | None  # decision_kind
    judgment: Judgment
    date: dt.date
    dossier: int


def slots(rng: random.Random, n: int) -> list:
    out: list = []
    while len(out) < n:
        s = list(BASE_SLOTS)
        rng.shuffle(s)
        out += s
    return out[:n]


def _judgment_for(rng: random.Random, doc_type: str, kind: str,
                  co_defendants: float | None = None) -> tuple[Judgment, dt.date]:
    allowed = sentence_kind_for(kind)
    for _ in range(200):
        level = "PT" if rng.random() < 0.2 else "ST"
        jd = _judgment_date(rng, dt.date(2016, 3, 1), dt.date(2024, 9, 30))
        j = make_judgment(rng, jd, level, co_defendants=co_defendants)
        if j.subject.sentence.kind not in allowed:
            continue
        d = delay_for(kind, doc_type, rng, j)
        if d <= _cap():
            return j, d
    raise RuntimeError(f"could not build a judgment for {doc_type}/{kind}")


def plan(rng: random.Random, n: int, co_defendants: float | None = None) -> list[DocSpec]:
    specs: list[DocSpec] = []
    dossiers: list[tuple[int, Judgment]] = []
    for slot in slots(rng, n):
        if slot in ("J-ST", "J-PT"):
            jd = _judgment_date(rng, dt.date(2016, 1, 4), dt.date(2025, 6, 30))
            j = make_judgment(rng, jd, slot[2:], co_defendants=co_defendants)
            dossiers.append((len(dossiers), j))
            specs.append(DocSpec("judgment", None, j, j.date, dossiers[-1][0]))
            continue
        doc_type, kind = slot
        attached = None
        if dossiers and rng.random() < 0.45:
            did, j = rng.choice(dossiers)
            used = {(s.doc_type, s.kind) for s in specs if s.dossier == did}
            if j.subject.sentence.kind in sentence_kind_for(kind) and (doc_type, kind) not in used:
                d = delay_for(kind, doc_type, rng, j)
                if d <= _cap():
                    attached = (did, j, d)
        if attached is None:
            j, d = _judgment_for(rng, doc_type, kind, co_defendants)
            dossiers.append((len(dossiers), j))
            attached = (dossiers[-1][0], j, d)
        did, j, d = attached
        specs.append(DocSpec(doc_type, kind, j, d, did))
    return specs
