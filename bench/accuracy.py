"""Field accuracy of a processed batch against the generator's truth.

    python bench/accuracy.py REPORT.json TRUTH.jsonl [--threshold 0.9]

Per field: how many values were right, wrong-but-flagged (below the
threshold, so a person sees them), silent errors (wrong at or above the
threshold: the worst outcome), and missing. Also the review rate and
status agreement with expected.jsonl when it sits beside the truth.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sohoa.reconciler.compare import values_agree  # noqa: E402


def evaluate(report: dict, truth: dict[str, dict], threshold: float) -> dict:
    per_field: dict[str, Counter] = defaultdict(Counter)
    silent: list[tuple] = []
    docs = {d["source"]: d for d in report["documents"]}
    doc_type_ok = Counter()
    for source, t in truth.items():
        if t.get("bad"):
            continue
        d = docs.get(source)
        if d is None or d["status"] == "rejected":
            per_field["_document"]["rejected"] += 1
            continue
        doc_type_ok["right" if d.get("doc_type") == t["doc_type"] else "wrong"] += 1
        got = d.get("fields", {})
        for name, want in t["fields"].items():
            if name == "doc_type":
                continue  # judged above, from the report's doc_type
            c = per_field[name]
            if name not in got:
                c["missing"] += 1
                continue
            f = got[name]
            ok = values_agree(name, f["value"], want)
            high = f["confidence"] >= threshold
            if ok:
                c["right_confident" if high else "right_flagged"] += 1
            else:
                c["silent_error" if high else "wrong_flagged"] += 1
                if high:
                    silent.append((source, name, f["value"], want, f["confidence"]))
        for name in got:
            if name not in t["fields"] and got[name]["confidence"] >= threshold:
                per_field[name]["spurious_confident"] += 1
    return {"per_field": per_field, "silent": silent, "doc_type": doc_type_ok}


def threshold_curve(report: dict, truth: dict[str, dict], thresholds: list[float]) -> list[tuple[float, int, float]]:
    """(threshold, silent errors, share of values sent to review) for each threshold."""
    rows = []
    for thr in thresholds:
        r = evaluate(report, truth, thr)
        tot = Counter()
        for c in r["per_field"].values():
            tot.update(c)
        n = sum(tot[k] for k in ("right_confident", "right_flagged", "wrong_flagged", "silent_error"))
        flagged = tot["right_flagged"] + tot["wrong_flagged"]
        rows.append((thr, tot["silent_error"], flagged / n if n else 0.0))
    return rows


def per_kind(report: dict, truth: dict[str, dict], threshold: float) -> dict[str, Counter]:
    """The same counts, summed over fields, per document kind (decision kinds apart)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for source, t in truth.items():
        if t.get("bad"):
            continue
        kind = t.get("decision_kind") or t["doc_type"]
        r = evaluate(report, {source: t}, threshold)
        for c in r["per_field"].values():
            out[kind].update(c)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("report", type=Path)
    ap.add_argument("truth", type=Path)
    ap.add_argument("--threshold", type=float, default=0.9)
    args = ap.parse_args()
    report = json.loads(args.report.read_text("utf-8"))
    truth = {json.loads(x)["source"]: json.loads(x) for x in args.truth.read_text("utf-8").splitlines() if x.strip()}
    r = evaluate(report, truth, args.threshold)
    cols = ["right_confident", "right_flagged", "wrong_flagged", "silent_error", "missing", "spurious_confident"]
    print(f"{'field':<22}" + "".join(f"{c:>19}" for c in cols))
    tot = Counter()
    for name in sorted(r["per_field"]):
        c = r["per_field"][name]
        tot.update(c)
        print(f"{name:<22}" + "".join(f"{c[k]:>19}" for k in cols))
    print(f"{'TOTAL':<22}" + "".join(f"{tot[k]:>19}" for k in cols))
    n = sum(tot[k] for k in cols[:5])
    if n:
        print(f"\nvalues: {n}; confident and right {tot['right_confident'] / n:.1%}; "
              f"sent to review {(tot['right_flagged'] + tot['wrong_flagged']) / n:.1%}; "
              f"silent errors {tot['silent_error']} ; missing {tot['missing'] / n:.1%}")
    print(f"doc_type: {dict(r['doc_type'])}")
    statuses = Counter(d["status"] for d in report["documents"])
    print(f"statuses: {dict(statuses)}")
    for s in r["silent"]:
        print("SILENT", *s)
    print("\nper document kind:")
    print(f"{'kind':<22}" + "".join(f"{c:>19}" for c in cols[:5]))
    for kind, c in sorted(per_kind(report, truth, args.threshold).items()):
        print(f"{kind:<22}" + "".join(f"{c[k]:>19}" for k in cols[:5]))
    print("\nthreshold  silent_errors  sent_to_review")
    for thr, silent, flagged in threshold_curve(report, truth, [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98]):
        print(f"{thr:>9}  {silent:>13}  {flagged:>14.1%}")


if __name__ == "__main__":
    main()
