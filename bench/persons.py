"""Several persons per document (contract v2): how a processed batch did on every
person of every document, against the generator's truth.

    python bench/persons.py REPORT.json TRUTH.jsonl [EXPECTED.jsonl] [--threshold 0.9]

- persons found: each truth person has a report person (paired by name, or by
  position when OCR misread the name, which then counts as a wrong name below),
  persons lost, persons invented;
- silent errors on person fields: a person field wrong (not exactly the truth's
  canonical form, corpus/truth.py) or absent from the truth, at or above the
  threshold (persons paired by name, so a mixed-up term counts against the person
  who got it);
- linking: each person's registry record is the one the generator made for them.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sohoa.corpus.truth import same_value  # noqa: E402
from sohoa.reconciler.compare import values_agree  # noqa: E402


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def evaluate(report: dict, truth: list[dict], expected: list[dict], threshold: float) -> dict:
    docs = {d["source"]: d for d in report["documents"]}
    exp = {e["source"]: e for e in expected if e.get("source")}
    c: Counter = Counter()
    silent: list[tuple] = []
    for t in truth:
        if t.get("bad") or "persons" not in t:
            continue
        d = docs.get(t["source"])
        want = t["persons"]
        c["documents"] += 1
        c["truth_persons"] += len(want)
        if len(want) > 1:
            c["multi_person_documents"] += 1
        if d is None or d["status"] == "rejected":
            c["persons_in_rejected_documents"] += len(want)
            continue
        got = d.get("persons") or []
        names = [p["fields"].get("person_name", {}).get("value") for p in got]
        # pair by name; a name misread (and so, flagged or not, judged below) pairs by position
        hits: list[int | None] = []
        for w in want:
            hits.append(next((i for i, n in enumerate(names) if n is not None and i not in hits
                              and values_agree("person_name", n, w["person_name"])), None))
        free = [i for i in range(len(got)) if i not in hits]
        for k, h in enumerate(hits):
            if h is None and k in free:
                hits[k] = k
                free.remove(k)
        paired: list[tuple[dict, dict | None]] = [(w, got[h] if h is not None else None) for w, h in zip(want, hits)]
        found = sum(1 for _, p in paired if p is not None)
        c["persons_found"] += found
        c["persons_lost"] += len(want) - found
        c["persons_invented"] += max(0, len(got) - found)
        if found == len(want) and len(got) == len(want):
            c["documents_all_persons_found"] += 1
        for w, p in paired:
            if p is None:
                continue
            for name, value in w.items():
                f = p["fields"].get(name)
                if f is None:
                    continue
                if not same_value(name, f["value"], value):  # scored strictly (corpus/truth.py)
                    c["wrong_flagged" if f["confidence"] < threshold else "silent_errors"] += 1
                    if f["confidence"] >= threshold:
                        silent.append((t["source"], w["person_name"], name, f["value"], value, f["confidence"]))
                else:
                    c["right"] += 1
            for name, f in p["fields"].items():  # a value the person has none of, confidently: silent too
                if name not in w and f["confidence"] >= threshold:
                    c["silent_errors"] += 1
                    silent.append((t["source"], w["person_name"], name, f["value"], None, f["confidence"]))
        e = exp.get(t["source"])
        if e and e.get("persons") and e["status"] != "unmatched":
            for k, (w, p) in enumerate(paired):
                if k >= len(e["persons"]):
                    break
                c["persons_to_link"] += 1
                if p is not None and p.get("registry_record_id") == e["persons"][k]["registry_record_id"]:
                    c["persons_linked_right"] += 1
                elif p is not None and p.get("registry_record_id"):
                    c["persons_linked_wrong"] += 1
    return {"counts": c, "silent": silent}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("report", type=Path)
    ap.add_argument("truth", type=Path)
    ap.add_argument("expected", type=Path, nargs="?")
    ap.add_argument("--threshold", type=float, default=0.9)
    a = ap.parse_args()
    report = json.loads(a.report.read_text("utf-8"))
    expected = _jsonl(a.expected) if a.expected else (
        _jsonl(a.truth.with_name("expected.jsonl")) if a.truth.with_name("expected.jsonl").exists() else [])
    r = evaluate(report, _jsonl(a.truth), expected, a.threshold)
    c = r["counts"]
    print(f"documents {c['documents']}, with several persons {c['multi_person_documents']}, "
          f"truth persons {c['truth_persons']}")
    share = c["persons_found"] / c["truth_persons"] if c["truth_persons"] else 1.0
    print(f"persons found {c['persons_found']}/{c['truth_persons']} ({share:.1%}), lost {c['persons_lost']}, "
          f"invented {c['persons_invented']}, in rejected documents {c['persons_in_rejected_documents']}")
    print(f"documents with exactly their persons: {c['documents_all_persons_found']}/{c['documents']}")
    print(f"person fields: right {c['right']}, wrong but flagged {c['wrong_flagged']}, "
          f"silent errors {c['silent_errors']}")
    print(f"linking: {c['persons_linked_right']}/{c['persons_to_link']} persons to their own record, "
          f"{c['persons_linked_wrong']} to another")
    for s in r["silent"]:
        print("  silent:", *s)


if __name__ == "__main__":
    main()
