"""Calibrated confidence (issue 15, item 4): rebuild the shipped model reproducibly.

    python bench/fit_confidence.py            # = all: ocr (cached), rows, fit, report
    python bench/fit_confidence.py ocr        # generate + OCR the corpora not cached yet
    python bench/fit_confidence.py fit        # rows from the cached pages, fit, write the JSON
    python bench/fit_confidence.py report     # hand-set vs fitted on the evaluation seeds

Seed policy: corpora of seeds 20000-20999 are fitted on, 21000-21999 only evaluate the fit
(never < 10000: development; never >= 90000: held out for the final bench). Each corpus is
generated (sohoa.corpus.generate_batch, no bad files), its documents OCR'd once
(pipeline.ocr.document.recognize) and the pages cached with the truth in
bench/out/calibration/pages-SEED-LEVEL.jsonl (gitignored), so refits never re-OCR. `fit` runs
the extractor over the cached pages, records for every value (document fields and every
person's) its features (pipeline/extract/calibrate.py) and whether it agrees with the truth
(reconciler.compare.values_agree), fits a regularised logistic regression with scikit-learn
(fixed random_state, a conservative shift chosen on the fitting seeds' out-of-fold scores) and
writes pipeline/extract/data/confidence_model.json. scikit-learn is needed here only
(`pip install -e '.[fit]'`); the package scores with plain Python.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "calibration"
MODEL_PATH = ROOT / "pipeline" / "extract" / "data" / "confidence_model.json"

# (seed, degradation, documents): fitting corpora, then evaluation corpora
FIT_CORPORA = [(20001, "light", 20), (20002, "heavy", 20), (20003, "heavy", 20), (20004, "light", 20),
               (20005, "heavy", 20), (20006, "light", 20), (20007, "heavy", 20)]
EVAL_CORPORA = [(21001, "heavy", 20), (21002, "light", 20), (21003, "heavy", 20), (21004, "heavy", 20)]
# the order the corpora are OCR'd in: fitting and evaluation corpora interleaved
ORDER = [20001, 21001, 20002, 21002, 20003, 20004, 21003, 20005, 20006, 21004, 20007, 20008]
THRESHOLD = 0.9


def _check_seed(seed: int) -> None:
    if seed < 10000 or seed >= 90000:
        raise SystemExit(f"seed {seed}: calibration corpora use seeds 20000-21999 only")


# -- 1. corpora, OCR'd once ------------------------------------------------------------------------

def pages_path(seed: int, level: str, out: Path = OUT) -> Path:
    return out / f"pages-{seed}-{level}.jsonl"


def _page_json(p: Any) -> dict[str, Any]:
    return {"number": p.number, "width": p.width, "height": p.height, "source": p.source,
            "words": [[w.text, round(w.confidence, 4), *[round(v, 2) for v in w.bbox], w.line, w.block,
                       list(w.alternatives), w.verified] for w in p.words]}


def page_from_json(d: dict[str, Any]) -> Any:
    from sohoa.core.types import PageText, Word
    words = []
    for t, c, x0, y0, x1, y1, line, block, alts, *rest in d["words"]:
        # the OCR's second read of a word: other spellings, or agreement (`verified`; older caches lack it)
        words.append(Word(t, c, (x0, y0, x1, y1), line, block, tuple(alts), bool(rest and rest[0])))
    return PageText(d["number"], d["width"], d["height"], words, d["source"])


def _pages(sd: Any, settings: Any, workdir: Path) -> list[Any]:
    """The pages of one document as recognize() reads them, without writing its searchable PDF."""
    from sohoa.pipeline.ocr.document import read_text_document
    from sohoa.pipeline.ocr.ocrpage import process_page
    from sohoa.pipeline.ocr.pages import plan_pages

    workdir.mkdir(parents=True, exist_ok=True)
    if sd.kind == "pdf_text":
        return read_text_document(sd, workdir / "out.pdf").pages
    return [process_page(sd, s, settings, workdir).text for s in plan_pages(sd, settings, workdir)]


def ocr_corpus(seed: int, level: str, docs: int, out: Path = OUT, kinds: tuple[str, ...] | None = None) -> Path:
    """Generate the corpus of (seed, level) and OCR each of its documents: one line per document
    (truth, pages). A corpus already cached is kept; one cut short resumes (its generated batch
    is kept in out/gen-SEED-LEVEL/ until the corpus is complete, its finished documents in
    pages-SEED-LEVEL.partial). kinds: only the documents of these SourceDocument kinds (a test's
    quick sample: ("pdf_text",) reads born-digital documents only, no OCR)."""
    _check_seed(seed)
    path = pages_path(seed, level, out)
    if path.exists():
        return path
    import shutil

    from sohoa.core.config import load_settings
    from sohoa.corpus import generate_batch
    from sohoa.pipeline.intake import Intake

    out.mkdir(parents=True, exist_ok=True)
    settings = load_settings(ocr_jobs=1)
    gen = out / f"gen-{seed}-{level}"
    partial = path.with_suffix(".partial")
    if not (gen / "s" / "truth.jsonl").exists():
        shutil.rmtree(gen, ignore_errors=True)
        partial.unlink(missing_ok=True)
        generate_batch(gen / "s", docs=docs, seed=seed, degradation=level, bad_files=False)
    truth = {}
    for line in (gen / "s" / "truth.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            t = json.loads(line)
            truth[t["source"]] = t
    done = {json.loads(x)["truth"]["source"] for x in partial.read_text("utf-8").splitlines()
            if x.strip()} if partial.exists() else set()
    with tempfile.TemporaryDirectory(prefix=f"calib-{seed}-") as tmp:
        for k, sd in enumerate(Intake(settings).scan(gen / "s" / "batch")):
            if not hasattr(sd, "files"):
                continue  # a rejection (none expected without bad files)
            t = truth.get(sd.relpath)
            if t is None or sd.relpath in done or (kinds is not None and sd.kind not in kinds):
                continue
            pages = _pages(sd, settings, Path(tmp) / str(k))
            keep = {x: t.get(x) for x in ("source", "doc_type", "decision_kind", "fields", "persons", "degradation")}
            with partial.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"truth": keep, "pages": [_page_json(p) for p in pages]}, ensure_ascii=False)
                         + "\n")
            done.add(sd.relpath)
            print(f"  {seed} {level}: {len(done)}/{docs} {sd.relpath}", file=sys.stderr, flush=True)
    if not partial.exists():
        partial.write_text("", "utf-8")
    partial.rename(path)
    shutil.rmtree(gen, ignore_errors=True)
    return path


def _ocr_job(args: tuple[int, str, int]) -> str:
    return str(ocr_corpus(*args))


def cmd_ocr(corpora: list[tuple[int, str, int]], workers: int) -> None:
    todo = [c for c in corpora if not pages_path(c[0], c[1]).exists()]
    if not todo:
        return
    if workers <= 1:
        for c in todo:
            _ocr_job(c)
        return
    with ProcessPoolExecutor(workers) as ex:
        for p in ex.map(_ocr_job, todo):
            print(f"cached {p}", file=sys.stderr)


# -- 2. rows: the features of every value read, and whether it is right -----------------------------

def _pair_persons(want: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[int | None]:
    """For each truth person, the index of the report person it pairs with (bench/persons.py: by
    name, else by position when OCR misread the name)."""
    from sohoa.reconciler.compare import values_agree
    names = [p.get("person_name") for p in got]
    hits: list[int | None] = []
    for w in want:
        hits.append(next((i for i, n in enumerate(names) if n is not None and i not in hits
                          and values_agree("person_name", n, w.get("person_name"))), None))
    free = [i for i in range(len(got)) if i not in hits]
    for k, h in enumerate(hits):
        if h is None and k in free:
            hits[k] = k
            free.remove(k)
    return hits


def document_rows(truth: dict[str, Any], pages: list[Any], tag: dict[str, Any]) -> list[dict[str, Any]]:
    """Extract one document (hand-set confidences) and label each value against the truth."""
    from sohoa.pipeline.extract import calibrate
    from sohoa.pipeline.extract.document import extract
    from sohoa.reconciler.compare import values_agree

    seen: dict[tuple[int, str], dict[str, Any]] = {}

    def observe(name: str, c: Any, fld: Any, person: int) -> None:
        seen[(person, name)] = {"field": name, "person": person, "value": fld.value,
                                "handset": calibrate.handset(c), "caps": calibrate.caps(c),
                                "features": calibrate.features(name, c)}

    ex = extract(pages, calibrated=False, observe=observe)
    failed = [w for w in ex.warnings if w.startswith("extraction failed")]
    if failed:  # the extractor's own failure (a bug, or a file mid-edit): say so, the rows are kept
        print(f"{truth['source']}: {failed[0]}", file=sys.stderr)
    by_person: dict[int, dict[str, dict[str, Any]]] = {}
    for (person, name), r in seen.items():
        by_person.setdefault(person, {})[name] = r
    # the report's persons: the document's fields are person 0's, then the other persons
    got = [{k: r["value"] for k, r in by_person.get(i, {}).items()} for i in range(max(by_person, default=0) + 1)]
    want_persons = truth.get("persons") or []
    hits = _pair_persons(want_persons[1:], got[1:]) if len(got) > 1 else []
    want_of: dict[int, dict[str, Any]] = {0: truth.get("fields") or {}}
    for w, h in zip(want_persons[1:], hits):
        if h is not None:
            want_of[h + 1] = w
    rows = []
    for (person, name), r in sorted(seen.items()):
        want = want_of.get(person)
        if want is None or name not in want or name == "doc_type":
            right, spurious = False, True
        else:
            right, spurious = bool(values_agree(name, r["value"], want[name])), False
        rows.append({**tag, "source": truth["source"], "person": person, "field": name,
                     "value": r["value"] if isinstance(r["value"], (str, int, float, list)) else str(r["value"]),
                     "handset": round(r["handset"], 6), "caps": r["caps"], "right": right, "spurious": spurious,
                     "features": {k: round(v, 6) for k, v in r["features"].items()}})
    return rows


def corpus_rows(seed: int, level: str, out: Path = OUT) -> list[dict[str, Any]]:
    """The rows of a cached corpus, recomputed from its pages (the extractor may have changed) and
    written beside them (rows-SEED-LEVEL.jsonl)."""
    rows: list[dict[str, Any]] = []
    path = pages_path(seed, level, out)
    if not path.exists() and path.with_suffix(".partial").exists():
        print(f"{path.name}: not complete, its finished documents only", file=sys.stderr)
        path = path.with_suffix(".partial")
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows += document_rows(d["truth"], [page_from_json(p) for p in d["pages"]], {"seed": seed, "level": level})
    (out / f"rows-{seed}-{level}.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return rows


# -- 3. fit -------------------------------------------------------------------------------------------

C_GRID = [0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]
FOLDS = 5
SHIFT_MARGIN = 0.25  # logit units beyond the shift that clears every out-of-fold wrong value


def _logit(p: float) -> float:
    p = max(1e-3, min(1 - 1e-3, p))
    return math.log(p / (1 - p))


def fit_model(rows: list[dict[str, Any]], seeds: list[int]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit the logistic model on `rows` (spurious values left out): C by grouped cross-validation
    (folds = documents), then the conservative shift from the out-of-fold scores."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import GroupKFold

    rows = [r for r in rows if not r["spurious"]]
    y = np.array([1 if r["right"] else 0 for r in rows])
    if len(set(y.tolist())) < 2:
        raise SystemExit("fit: the fitting rows hold only right (or only wrong) values; generate more documents")
    feats = [{k: v for k, v in r["features"].items() if k != "bias"} for r in rows]
    vec = DictVectorizer(sparse=False, sort=True)
    X = vec.fit_transform(feats)
    groups = np.array([f"{r['seed']}/{r['source']}" for r in rows])
    folds = list(GroupKFold(n_splits=min(FOLDS, len(set(groups)))).split(X, y, groups))

    def model(c: float) -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=5000, random_state=0)

    def oof(c: float) -> np.ndarray:
        z = np.zeros(len(y))
        for tr, te in folds:
            if len(set(y[tr].tolist())) < 2:
                z[te] = 0.0
                continue
            z[te] = model(c).fit(X[tr], y[tr]).decision_function(X[te])
        return z

    scores = {}
    zs = {}
    for c in C_GRID:
        zs[c] = oof(c)
        scores[c] = float(log_loss(y, 1 / (1 + np.exp(-zs[c])), labels=[0, 1]))
    best_c = min(C_GRID, key=lambda c: (scores[c], -c))
    z = zs[best_c]
    # the conservative shift: the smallest (in steps of 0.05 logit) that leaves no more
    # out-of-fold silent errors at the threshold than the hand-set confidences have on the same
    # values, plus a margin
    # (scored as shipped: guarded, caps applied)
    from sohoa.pipeline.extract.calibrate import marked_down
    hand = np.array([r["handset"] for r in rows])
    hand_silent = int(((hand >= THRESHOLD) & (y == 0)).sum())
    down = np.array([marked_down(r["features"]) for r in rows])
    capv = np.array([r["caps"] for r in rows])

    def shipped(shift: float) -> np.ndarray:  # as ConfidenceModel.score_features, then the caps
        h = 1 / (1 + np.exp(-np.array([_logit(v) for v in hand])))
        p = np.minimum(0.995, 1 / (1 + np.exp(-z)))
        lifted = np.maximum(h, np.minimum(p, 1 / (1 + np.exp(-(z - shift)))))
        out = np.where(down, np.minimum(p, h), np.where(p > h, lifted, p))
        return np.minimum(out, capv)

    shift = 0.0
    while int(((shipped(shift) >= THRESHOLD) & (y == 0)).sum()) > hand_silent:
        shift += 0.05
    if shift > 0:
        shift += SHIFT_MARGIN
    top = float(z[y == 0].max()) if (y == 0).any() else -10.0
    # the other family the brief allows: gradient boosting, isotonic-calibrated, on the same folds
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    p_gb = np.zeros(len(y))
    for tr, te in folds:
        if len(set(y[tr].tolist())) < 2 or min(int((y[tr] == 0).sum()), int((y[tr] == 1).sum())) < 3:
            p_gb[te] = float(y[tr].mean())
            continue
        gb = CalibratedClassifierCV(HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05,
                                                                   random_state=0), method="isotonic", cv=3)
        p_gb[te] = gb.fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
    gb_ll = float(log_loss(y, np.clip(p_gb, 1e-3, 1 - 1e-3), labels=[0, 1]))
    m = model(best_c).fit(X, y)
    coef = {name: round(float(w), 6) for name, w in zip(vec.get_feature_names_out(), m.coef_[0]) if abs(w) > 1e-9}
    hand_ll = float(log_loss(y, np.clip([r["handset"] for r in rows], 1e-3, 1 - 1e-3), labels=[0, 1]))
    meta = {"fitted_on": {"seeds": seeds, "values": int(len(y)), "wrong": int((y == 0).sum()),
                          "documents": int(len(set(groups)))},
            "C": best_c, "cv_log_loss": {str(c): round(v, 5) for c, v in scores.items()},
            "hand_set_log_loss": round(hand_ll, 5),
            "gradient_boosting_isotonic_cv_log_loss": round(gb_ll, 5),
            "hand_set_silent_at_threshold": hand_silent,
            "shift_rule": f"lifts above the hand-set confidence only: the smallest shift (0.05 steps) leaving no "
                          f"more out-of-fold silent errors at {THRESHOLD} than the hand-set confidences on the "
                          f"same values, +{SHIFT_MARGIN} logit",
            "oof_top_wrong_logit": round(top, 4),
            "rebuild": "python bench/fit_confidence.py fit (scikit-learn, random_state=0)"}
    model_json = {"kind": "logistic", "intercept": round(float(m.intercept_[0]), 6), "shift": round(shift, 6),
                  "cap": 0.995, "guard": True, "coef": dict(sorted(coef.items())), "meta": meta}
    return model_json, {"oof": shipped(shift).tolist(), "y": y.tolist()}


# -- 4. report ----------------------------------------------------------------------------------------

def reliability(conf: list[float], right: list[bool], bins: int = 10) -> tuple[float, list[tuple[str, int, float, float]]]:
    """Expected calibration error over `bins` equal-width bins, and the table (bin, n, mean
    confidence, share right)."""
    table = []
    n = len(conf)
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(conf) if (lo <= c < hi) or (b == bins - 1 and c == 1.0)]
        if not idx:
            table.append((f"{lo:.1f}-{hi:.1f}", 0, float("nan"), float("nan")))
            continue
        mc = sum(conf[i] for i in idx) / len(idx)
        acc = sum(1 for i in idx if right[i]) / len(idx)
        ece += abs(mc - acc) * len(idx) / n
        table.append((f"{lo:.1f}-{hi:.1f}", len(idx), mc, acc))
    return ece, table


def curve(conf: list[float], right: list[bool], thresholds: list[float]) -> list[tuple[float, int, float]]:
    """(threshold, silent errors, share sent to review)."""
    n = len(conf)
    return [(t, sum(1 for c, r in zip(conf, right) if c >= t and not r),
             sum(1 for c in conf if c < t) / n if n else 0.0) for t in thresholds]


def score_rows(rows: list[dict[str, Any]], model_json: dict[str, Any]) -> dict[str, list[float]]:
    """Each row's confidence: hand-set, the model's raw probability, the model as shipped
    (shift, cap, caps applied: what extract() reports)."""
    from sohoa.pipeline.extract.calibrate import ConfidenceModel
    m = ConfidenceModel.from_json(model_json)
    bare = ConfidenceModel(m.coef, m.intercept, 0.0, m.cap, guard=False)
    guarded = ConfidenceModel(m.coef, m.intercept, 0.0, m.cap, guard=True)
    return {"hand-set": [r["handset"] for r in rows],
            "fitted (no shift, no guard)": [min(bare.score_features(r["features"]), r["caps"]) for r in rows],
            "fitted, guard, no shift": [min(guarded.score_features(r["features"]), r["caps"]) for r in rows],
            "fitted, shipped (guard + lift shift)": [round(min(m.score_features(r["features"]), r["caps"]), 4)
                                                for r in rows]}


def report(rows: list[dict[str, Any]], model_json: dict[str, Any], title: str) -> str:
    ev = [r for r in rows if not r["spurious"]]
    right = [bool(r["right"]) for r in ev]
    scored = score_rows(ev, model_json)
    spur = [r for r in rows if r["spurious"]]
    lines = [f"### {title}", "",
             f"{len(ev)} values with a truth ({sum(1 for x in right if not x)} wrong) from "
             f"{len({(r['seed'], r['source']) for r in rows})} documents; {len(spur)} values the truth does not have "
             "(left out: scored apart below).", ""]
    lines += ["| confidence | ECE (10 bins) | log-loss | silent errors at 0.9 | sent to review at 0.9 |",
              "|---|---|---|---|---|"]
    for k, conf in scored.items():
        ece, _ = reliability(conf, right)
        ll = -sum(math.log(max(1e-3, min(1 - 1e-3, c if r else 1 - c))) for c, r in zip(conf, right)) / len(conf)
        (_, s, share), = curve(conf, right, [THRESHOLD])
        lines.append(f"| {k} | {ece:.4f} | {ll:.4f} | {s} | {share:.1%} |")
    lines += ["", "Reliability (bin: values, mean confidence, share right):", ""]
    lines += ["| bin | " + " | ".join(scored) + " |", "|---|" + "---|" * len(scored)]
    tables = {k: reliability(conf, right)[1] for k, conf in scored.items()}
    for b in range(10):
        cells = []
        for k in scored:
            lab, n, mc, acc = tables[k][b]
            cells.append(f"{n}: {mc:.3f} / {acc:.3f}" if n else "0")
        lines.append(f"| {tables['hand-set'][b][0]} | " + " | ".join(cells) + " |")
    thresholds = [0.8, 0.85, 0.9, 0.95]
    lines += ["", "Silent errors / share sent to review:", "",
              "| threshold | " + " | ".join(scored) + " |", "|---|" + "---|" * len(scored)]
    curves = {k: curve(conf, right, thresholds) for k, conf in scored.items()}
    for i, t in enumerate(thresholds):
        lines.append(f"| {t} | " + " | ".join(f"{curves[k][i][1]} / {curves[k][i][2]:.1%}" for k in scored) + " |")
    spur_scored = score_rows(spur, model_json) if spur else {k: [] for k in scored}
    lines += ["", "Values the truth does not have, confident (>= 0.9): " + ", ".join(
        f"{k} {sum(1 for c in v if c >= THRESHOLD)}" for k, v in spur_scored.items()) + "."]
    silent = [(r["seed"], r["source"], r["person"], r["field"], r["value"], c)
              for r, c in zip(ev, scored["fitted, shipped (guard + lift shift)"]) if c >= THRESHOLD and not r["right"]]
    for s in silent:
        lines.append(f"- silent (fitted, shipped): {s}")
    return "\n".join(lines) + "\n"


def _rows_of(corpora: list[tuple[int, str, int]], out: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for seed, level, _ in corpora:
        rows += corpus_rows(seed, level, out)
    return rows


def cmd_fit(corpora: list[tuple[int, str, int]], out: Path, model_path: Path) -> dict[str, Any]:
    rows = _rows_of(corpora, out)
    model_json, oof = fit_model(rows, sorted({c[0] for c in corpora}))
    m_oof, y = oof["oof"], oof["y"]
    kept = [r for r in rows if not r["spurious"]]
    for name, conf in (("hand-set", [r["handset"] for r in kept]), ("fitted, out-of-fold", m_oof)):
        pts = ", ".join(f"{t}: {s} silent / {share:.1%} review" for t, s, share in curve(conf, [bool(v) for v in y],
                                                                                      [0.8, 0.85, 0.9, 0.95]))
        print(f"fitting seeds, {name}: ECE {reliability(conf, [bool(v) for v in y])[0]:.4f}; {pts}")
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model_path.write_text(json.dumps(model_json, indent=1, ensure_ascii=False) + "\n", "utf-8")
    meta = model_json["meta"]
    print(f"fitted on {meta['fitted_on']}: C={meta['C']}, shift={model_json['shift']}, "
          f"{len(model_json['coef'])} coefficients -> {model_path}")
    return model_json


def cmd_report(corpora: list[tuple[int, str, int]], out: Path, model_path: Path) -> str:
    model_json = json.loads(model_path.read_text("utf-8"))
    rows = _rows_of(corpora, out)
    seeds = ", ".join(f"{s} {lvl}" for s, lvl, _ in corpora)
    text = report(rows, model_json, f"Evaluation seeds ({seeds}), never fitted on")
    print(text)
    return text


def _corpora(spec: str | None, default: list[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    if not spec:
        return default
    out = []
    for part in spec.split(","):
        seed, level, docs = part.split(":")
        out.append((int(seed), level, int(docs)))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", nargs="?", default="all", choices=["all", "ocr", "fit", "report"])
    ap.add_argument("--workers", type=int, default=2, help="corpora OCR'd at once (one OCR job each)")
    ap.add_argument("--fit-corpora", help="SEED:LEVEL:DOCS,... (default: the fixed list above)")
    ap.add_argument("--eval-corpora", help="SEED:LEVEL:DOCS,...")
    ap.add_argument("--out", type=Path, default=OUT, help="cache of OCR'd pages and rows")
    ap.add_argument("--model", type=Path, default=MODEL_PATH, help="the model JSON written (fit) or read (report)")
    args = ap.parse_args(argv)
    fit_c, eval_c = _corpora(args.fit_corpora, FIT_CORPORA), _corpora(args.eval_corpora, EVAL_CORPORA)
    for seed, _, _ in fit_c:
        if not 20000 <= seed < 21000:
            raise SystemExit(f"fit seed {seed}: fitting corpora use seeds 20000-20999")
    for seed, _, _ in eval_c:
        if not 21000 <= seed < 22000:
            raise SystemExit(f"evaluation seed {seed}: evaluation corpora use seeds 21000-21999")
    if args.step in ("all", "ocr"):
        rank = {s: i for i, s in enumerate(ORDER)}
        todo = sorted((c for c in fit_c + eval_c if not pages_path(c[0], c[1], args.out).exists()),
                      key=lambda c: rank.get(c[0], len(rank)))
        if args.workers <= 1 or args.out != OUT:
            for c in todo:
                ocr_corpus(*c, out=args.out)
        else:
            cmd_ocr(todo, args.workers)
    if args.step in ("all", "fit"):
        cmd_fit(fit_c, args.out, args.model)
    if args.step in ("all", "report"):
        cmd_report(eval_c, args.out, args.model)


if __name__ == "__main__":
    main()
