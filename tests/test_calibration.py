"""Calibrated confidence (issue 15, item 4): the fitted model shipped in the package
(pipeline/extract/data/confidence_model.json), its features, and the command that rebuilds it
(bench/fit_confidence.py)."""
from __future__ import annotations

import json
import math
import sys
from importlib import resources
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import fit_confidence as fc  # noqa: E402
from sohoa.pipeline.extract import calibrate  # noqa: E402
from sohoa.pipeline.extract.document import extract  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The pages of a generated born-digital document (read from its text layer: no OCR, so the
    test is quick) and its truth, cached as bench/fit_confidence.py caches them."""
    out = tmp_path_factory.mktemp("calib")
    path = fc.ocr_corpus(20990, "light", 3, out=out, kinds=("pdf_text",))
    docs = [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
    return out, [(d["truth"], [fc.page_from_json(p) for p in d["pages"]]) for d in docs]


def test_the_shipped_model_loads_and_scores():
    data = resources.files("sohoa.pipeline.extract").joinpath("data/confidence_model.json")
    d = json.loads(data.read_text("utf-8"))
    assert d["kind"] == "logistic" and d["coef"]
    m = calibrate.load()
    assert m.coef == {k: float(v) for k, v in d["coef"].items()}
    for conf in (0.0, 0.3, 0.9, 0.99):
        s = m.score_features({"field:person_name": 1.0, "logit_conf": calibrate.logit(conf), "ocr": 0.95})
        assert 0.0 <= s <= m.cap


def test_features_of_real_candidates(generated):
    _, docs = generated
    seen = []

    def observe(name, c, fld, person):
        seen.append((name, c, fld, calibrate.features(name, c)))

    for _, pages in docs:
        extract(pages, calibrated=False, observe=observe)
    assert len(seen) >= 8
    names = {n for n, *_ in seen}
    assert {"document_number", "issue_date", "person_name"} <= names
    for name, c, fld, f in seen:
        assert f[f"field:{name}"] == 1.0
        assert all(isinstance(v, float) and math.isfinite(v) for v in f.values())
        assert f["logit_conf"] == pytest.approx(calibrate.logit(fld.confidence), abs=0.02)
        assert f["doubtful"] == (1.0 if fld.doubtful else 0.0)
        assert f["rivals"] == len(fld.alternatives)
        for a in c.applied:  # every adjustment that weighs is a feature
            if a.adjustment.kind in ("scale", "boost", "cap"):
                assert f"adj:{a.adjustment.name}" in f
        if c.span is not None and c.span.words:
            assert 0.0 <= f["word_min"] <= f["word_mean"] <= 1.0


def test_extract_reports_the_models_confidence(generated):
    _, docs = generated
    m = calibrate.load()
    for _, pages in docs:
        cands = {}
        ex = extract(pages, observe=lambda name, c, fld, person: cands.__setitem__((person, name), c))
        for name, fld in ex.fields.items():
            assert fld.confidence == pytest.approx(min(0.995, m.score(name, cands[(0, name)])), abs=1e-4)


def test_caps_stay_caps(generated):
    """A value capped by policy (a person must check) is reported at most at its cap."""
    from sohoa.pipeline.extract import evidence as ev

    _, docs = generated
    m = calibrate.load()
    checked = 0

    def observe(name, c, fld, person):
        nonlocal checked
        c.adjust(ev.NAME_WEAK_ANCHOR)
        assert m.score(name, c) <= ev.NAME_WEAK_ANCHOR.factor
        checked += 1

    extract(docs[0][1], observe=observe)
    assert checked


def test_the_hand_set_rules_stay_vetoes(generated):
    """A value something spoke against (a scale adjustment, a doubt about its characters, a rival)
    is never reported above its hand-set confidence; only clean reads may be lifted."""
    from sohoa.pipeline.extract import evidence as ev

    _, docs = generated
    m = calibrate.load()
    checked = 0

    def observe(name, c, fld, person):
        nonlocal checked
        hand = calibrate.handset(c.adjust(ev.NAME_ONE_LETTER))
        f = calibrate.features(name, c)
        assert calibrate.marked_down(f)
        assert m.score(name, c) <= hand + 1e-6
        checked += 1

    extract(docs[0][1], observe=observe)
    assert checked
    assert not calibrate.marked_down({"logit_conf": 2.0, "adj:ANCHOR_AGREES": 0.5, "doubtful": 0.0})
    assert calibrate.marked_down({"logit_conf": 2.0, "adj:DIGIT_LOST": 0.35})
    assert calibrate.marked_down({"logit_conf": 2.0, "rivals": 1.0})


def test_monotone_in_the_hand_set_confidence(generated):
    """Other evidence equal, a higher hand-set confidence never lowers the model's."""
    _, docs = generated
    m = calibrate.load()
    assert m.coef.get("logit_conf", 0.0) > 0
    feats = []
    for _, pages in docs:
        extract(pages, calibrated=False, observe=lambda name, c, fld, p: feats.append(calibrate.features(name, c)))
    for f in feats:
        scores = [m.score_features({**f, "logit_conf": calibrate.logit(p)}) for p in (0.2, 0.5, 0.8, 0.9, 0.95, 0.99)]
        assert scores == sorted(scores)


def test_the_rebuild_command_runs_end_to_end(generated, tmp_path):
    pytest.importorskip("sklearn")
    out, _ = generated
    # a tiny sample holds no wrong value: make two by changing the truth of a copy
    lines = fc.pages_path(20990, "light", out).read_text("utf-8").splitlines()
    docs = [json.loads(x) for x in lines if x.strip()]
    for d in docs:
        d["truth"]["fields"]["issue_date"] = "1900-01-01"
        d["truth"]["fields"]["document_number"] = "1/1900/XX"
    (out / "pages-20991-light.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                                                 "utf-8")
    (out / "pages-20992-light.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (out / "pages-21990-light.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    model = tmp_path / "model.json"
    args = ["--out", str(out), "--model", str(model), "--fit-corpora", "20990:light:3,20991:light:3,20992:light:3",
            "--eval-corpora", "21990:light:3"]
    fc.main(["fit", *args])
    d = json.loads(model.read_text("utf-8"))
    assert d["kind"] == "logistic" and d["meta"]["fitted_on"]["wrong"] >= 2
    first = model.read_text("utf-8")
    fc.main(["fit", *args])
    assert model.read_text("utf-8") == first  # reproducible
    fc.main(["report", *args])
    assert (out / "rows-21990-light.jsonl").exists()


def test_seed_policy():
    with pytest.raises(SystemExit):
        fc.main(["fit", "--fit-corpora", "5:light:3"])
    with pytest.raises(SystemExit):
        fc.main(["fit", "--fit-corpora", "21001:light:3"])
    with pytest.raises(SystemExit):
        fc.ocr_corpus(90001, "light", 1, out=Path("/nonexistent"))
