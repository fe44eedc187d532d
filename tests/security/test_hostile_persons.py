"""Hostile documents and registries against the persons machinery (contract v2):
bounded work, nothing silently trusted, nothing stored lost."""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract_helpers import read  # noqa: E402
from sohoa.pipeline.extract.document import MAX_PERSONS  # noqa: E402
from test_persons import A, judgment, sentence  # noqa: E402


def _people(n):
    return [dict(name=f"Nguyễn Văn {w}", pid=f"0010900{i:05d}", birth="02 tháng 5 năm 1990")
            for i, w in enumerate(f"An{chr(97 + k % 26)}{chr(97 + k // 26 % 26)}".capitalize() for k in range(n))]


def test_a_judgment_naming_hundreds_of_defendants_is_bounded_and_sent_to_review():
    people = _people(120)
    op = [line for d in people for line in sentence(d, "12 (mười hai) tháng")]
    t0 = time.process_time()
    ex = read(judgment(people, op))
    spent = time.process_time() - t0
    persons = ex.all_persons()
    assert len(persons) <= MAX_PERSONS + 1
    assert any("defendants named; only the first" in w for w in ex.warnings)
    assert ex.fields["person_name"].confidence < 0.9  # the document goes to a person
    assert spent < 120  # generous: the bound is what matters, not the machine


def test_a_defendant_named_in_a_distractor_sentence_is_no_person():
    # the procuracy's proposal names someone: not a sentence of this court
    op = sentence(A, "02 (hai) năm") + ["Đại diện Viện kiểm sát đề nghị xử phạt bị cáo Lê Văn Giả 05 năm tù."]
    names = [p["person_name"].value for p in read(judgment([A], op)).all_persons()]
    assert names == [A["name"]]
