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
# 5.8 % sent to review, 2.1 % missing, one silent error (KNOWN_SILENT), no value reported where the
# truth has none; the floors leave room for OCR noise across Tesseract builds
MIN_RIGHT_CONFIDENT = 0.75
MAX_MISSING = 0.08
# Wrong at or above the threshold, held here by name until the extractor is fixed (a new one fails
# the test). The strict comparison (issue 19 item 5) found two that values_agree had counted right:
#  - issuer 'Tòa án nhân dân thành phố Hồ Chí Minh' for '... Thành phố Hồ Chí Minh' (case): fixed in
#    the extractor since (c00046a);
#  - penal_code_articles ['174', '3', '51'] for ['174', '51', '38'] (0.98): General Part article 38
#    read as 3, which the lenient comparison ignores; still confident on this corpus after c00046a's
#    ARTICLES_GENERAL_PRINCIPLE check.
KNOWN_SILENT = {("Ban an 57-012", "penal_code_articles")}


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
    assert {(source, name) for source, name, *_ in r["silent"]} <= KNOWN_SILENT, r["silent"]


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
