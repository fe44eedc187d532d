"""The accuracy floor on a small fixed corpus of heavily damaged scans, through the real CLI.

bench/run_accuracy.sh measures the same figures on 200 never-seen documents (bench/RESULTS.md);
this holds the floor in CI: no wrong value at or above the review threshold beyond the one known
below, no value the paper does not hold reported confidently, and no slide in the share of values
read right and confidently, of documents classified, of values found. Right means exactly the
truth's canonical form (corpus/truth.py, through bench/accuracy.py), not the reconciler's lenient
values_agree.
"""
from __future__ import annotations

import json
import sys
from collections import Counter

import pytest
from conftest import ROOT, run_sohoa

pytestmark = pytest.mark.slow

sys.path.insert(0, str(ROOT / "bench"))
from accuracy import evaluate  # noqa: E402

DOCS = 16
SEED = 2718
# measured on this corpus (190 values) with the strict comparison: 91.6 % right and confident,
# 6.3 % sent to review, 2.1 % missing, no silent error, no value reported where the truth has none;
# the floors leave room for OCR noise across Tesseract builds. The strict comparison (issue 19 item 5)
# had found two silent errors values_agree counted right, both fixed in the extractor since: the
# issuer 'thành phố Hồ Chí Minh' (case), and General Part article 38 read as 3 (0.98, lifted by a
# registry record that agreed on the offence article only: reconciler/confirm.answers_whole).
MIN_RIGHT_CONFIDENT = 0.75
MAX_MISSING = 0.08


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    from sohoa.corpus import generate_batch

    base = tmp_path_factory.mktemp("floor")
    gen = generate_batch(base / "s", docs=DOCS, seed=SEED, degradation="heavy", bad_files=False)
    home = base / "home"
    run_sohoa(home, "registry", "import", str(gen.registry_path))
    run_sohoa(home, "process", "-q", str(gen.batch_dir), "--report", str(base / "report.json"))
    report = json.loads((base / "report.json").read_text("utf-8"))
    truth = {t["source"]: t for t in map(json.loads, gen.truth_path.read_text("utf-8").splitlines())}
    r = evaluate(report, truth, 0.9)
    tot = Counter()
    for c in r["per_field"].values():
        tot.update(c)
    n = sum(tot[k] for k in ("right_confident", "right_flagged", "wrong_flagged", "silent_error", "missing"))
    return r, tot, n


def test_no_silent_errors_on_heavy_scans(scored):
    r, _, _ = scored
    assert r["silent"] == []


def test_nothing_reported_confidently_where_the_paper_has_no_value(scored):
    _, tot, _ = scored
    assert tot["spurious_confident"] == 0, dict(tot)


def test_every_document_kind_recognised(scored):
    r, _, _ = scored
    assert r["doc_type"]["wrong"] == 0 and r["doc_type"]["right"] == DOCS
    assert r["per_field"]["_document"]["rejected"] == 0


def test_most_values_read_right_and_confidently(scored):
    _, tot, n = scored
    assert n > 10 * DOCS
    assert tot["right_confident"] / n >= MIN_RIGHT_CONFIDENT, dict(tot)
    assert tot["missing"] / n <= MAX_MISSING, dict(tot)
