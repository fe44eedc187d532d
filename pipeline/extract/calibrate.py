"""Calibrated confidence: a model fitted on generated corpora turns a candidate's evidence into the
confidence reported (issue 15, item 4).

The hand-set confidence of a candidate (confidence.Candidate: OCR quality x method, folded through
the named adjustments of evidence.REGISTRY) is one of the model's features; the others are what
the candidate knows of its read: the words' OCR confidences, how long the value is, whether the
doubt is about its characters, its rivals (values other anchors read), its page, and each
adjustment applied (its log-factor for a scale, its share for a boost, 1 for a cap).
`features(name, c)` computes them; `ConfidenceModel` scores them with plain Python (a logistic
model: dot product, minus a conservative shift, then sigmoid), its coefficients loaded from
data/confidence_model.json, which `bench/fit_confidence.py` rebuilds reproducibly with
scikit-learn (needed to fit only).

Caps stay policy: a value capped by an adjustment of kind "cap" (a person must check, however
clean the read: a weak anchor, too many defendants, a failed extraction...) is reported at most at
that cap, whatever the model says.

The hand-set rules stay vetoes (`guard`): the model may raise a value above its hand-set
confidence only when nothing spoke against the value -- it was read by a primary anchor, no scale
adjustment marked it down, its doubt is not about its characters, no other anchor read another
value. Each of those rules was
written for an accident seen once in a few hundred documents (tests/test_extract_regress.py), too
rare for a fit on a few thousand values to learn; where one fired, the model can only lower the
confidence. What the model adds is the rest: it re-weighs OCR quality, method, field and the
boosts, and lifts the clean reads the hand-set priors left just under the review threshold.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .confidence import Candidate, base, handset
from .evidence import REGISTRY, doubts_reading

MODEL_FILE = Path(__file__).with_name("data") / "confidence_model.json"
EPS = 1e-3
# Anchors at least this reliable are primary ones (confidence.base's method: ~0.97-0.99); below,
# a fallback whose value the model may not raise above its hand-set confidence.
METHOD_SURE = 0.9
# Below this mean OCR confidence of its words, a value's reading is doubtful (the fitted model's rule).
FITTED_WEAK_SPAN = 0.85


def logit(p: float) -> float:
    p = max(EPS, min(1.0 - EPS, p))
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def caps(c: Candidate) -> float:
    """The lowest cap applied to `c` (1.0 for none)."""
    out = 1.0
    for a in c.applied:
        if a.adjustment.kind == "cap":
            out = min(out, a.factor)
    return out


def features(name: str, c: Candidate) -> dict[str, float]:
    """The features of candidate `c` read for field `name` (a zero feature may be left out)."""
    f: dict[str, float] = {f"field:{name}": 1.0, "bias": 1.0}
    f["logit_conf"] = logit(handset(c))
    f["logit_prior"] = logit(c.prior)
    # how reliable the anchor is (the method factor of the prior: confidence.base is linear in it)
    g = base(c.span, 1.0)
    method = c.prior / g if g > 0 else c.prior
    f["log_method"] = math.log(max(EPS, min(1.0, method)))
    if c.source:
        f[f"source:{c.source}"] = 1.0
    words = c.span.words if c.span is not None else []
    if words:
        cs = [max(0.0, min(1.0, w.confidence)) for w in words]
        f["ocr"] = c.span.ocr if c.span is not None else 0.0
        f["word_min"] = min(cs)
        f["word_mean"] = sum(cs) / len(cs)
        f["text_layer"] = 1.0 if min(cs) >= 0.999 else 0.0
        # words another read spelled otherwise (the OCR's second read: pipeline/ocr/verify.py)
        f["word_alternatives"] = float(sum(1 for w in words if getattr(w, "alternatives", ())))
        f["log_words"] = math.log1p(len(words))
        f["page_after_first"] = 1.0 if (c.span is not None and (c.span.page or 1) > 1) else 0.0
    else:
        f["no_words"] = 1.0
    v = c.value
    text = " ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    f["log_chars"] = math.log1p(len(text))
    f["rivals"] = float(len(c.rivals))
    # The model shipped was fitted with this older rule (a weak span), not confidence.doubtful (a
    # weak word no second read verified, another spelling): switching needs a refit on pages
    # cached with `verified` (bench/fit_confidence.py ocr, fit), else the fitted weight is misapplied.
    weak = bool(words) and c.span is not None and c.span.ocr < FITTED_WEAK_SPAN
    f["doubtful"] = 1.0 if weak or doubts_reading(c.applied) else 0.0
    for a in c.applied:
        adj = a.adjustment
        key = f"adj:{adj.name}"
        if adj.kind == "scale":
            x = -math.log(max(EPS, min(1.0, a.factor))) if a.factor > 0 else -math.log(EPS)
        elif adj.kind == "boost":
            x = max(0.0, min(1.0, a.factor * a.weight))
        elif adj.kind == "cap":
            x = 1.0
        else:
            continue  # clamp, note: weigh nothing
        f[key] = f.get(key, 0.0) + x
    return f


def marked_down(feats: dict[str, float]) -> bool:
    """Did anything speak against the value: a scale adjustment below 1, a doubt about its
    characters, a rival value, an anchor less sure than METHOD_SURE?"""
    if feats.get("doubtful", 0.0) > 0 or feats.get("rivals", 0.0) > 0:
        return True
    if feats.get("log_method", 0.0) < math.log(METHOD_SURE):
        return True  # a fallback anchor (a partial catalogue match, a weak label...)
    for k, v in feats.items():
        if k.startswith("adj:") and v > 1e-6:
            adj = REGISTRY.get(k[4:])
            if adj is not None and adj.kind == "scale":
                return True
    return False


@dataclass(frozen=True)
class ConfidenceModel:
    """A logistic model over `features`: confidence = sigmoid(intercept + coef . x), at most `cap`
    and at most any cap applied to the candidate. `guard`: a value something spoke against
    (marked_down) is reported at most at its hand-set confidence. `shift` makes lifts conservative:
    a value the model puts above its hand-set confidence is lifted only to sigmoid(z - shift)
    (never below the hand-set confidence); lowering a value is never held back. The shift is
    chosen when fitting (bench/fit_confidence.py)."""

    coef: dict[str, float]
    intercept: float
    shift: float = 0.0
    cap: float = 0.995
    guard: bool = True
    meta: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ConfidenceModel:
        return cls({k: float(v) for k, v in d["coef"].items()}, float(d["intercept"]), float(d.get("shift", 0.0)),
                   float(d.get("cap", 0.995)), bool(d.get("guard", True)), d.get("meta"))

    def to_json(self) -> dict[str, Any]:
        return {"kind": "logistic", "intercept": self.intercept, "shift": self.shift, "cap": self.cap,
                "guard": self.guard, "coef": dict(sorted(self.coef.items())), "meta": self.meta or {}}

    def raw(self, feats: dict[str, float]) -> float:
        """The calibrated probability that the value is right (no shift, no caps)."""
        z = self.intercept + sum(self.coef.get(k, 0.0) * v for k, v in feats.items())
        return sigmoid(z)

    def score_features(self, feats: dict[str, float]) -> float:
        """The confidence reported for a value of features `feats` (caps applied aside)."""
        z = self.intercept + sum(self.coef.get(k, 0.0) * v for k, v in feats.items())
        s = min(self.cap, sigmoid(z))
        hand = sigmoid(feats.get("logit_conf", 0.0))  # the hand-set confidence
        if self.guard and marked_down(feats):
            return min(s, hand)
        if s > hand:  # a lift above the hand-set confidence: only as far as the shifted model goes
            s = max(hand, min(s, sigmoid(z - self.shift)))
        return s

    def score(self, name: str, c: Candidate) -> float:
        return min(self.score_features(features(name, c)), caps(c))


@lru_cache(maxsize=4)
def load(path: str = str(MODEL_FILE)) -> ConfidenceModel:
    """The model of `path` (default: the one shipped in the package)."""
    return ConfidenceModel.from_json(json.loads(Path(path).read_text("utf-8")))
