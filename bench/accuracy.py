"""Field accuracy of a processed batch against the generator's truth.

    python bench/accuracy.py REPORT.json TRUTH.jsonl [--threshold 0.9]

Per field: how many values were right, wrong-but-flagged (below the
threshold, so a person sees them), silent errors (wrong at or above the
threshold: the worst outcome), missing, and spurious_confident (a value the
truth does not have, reported at or above the threshold: a silent error too,
listed with them). Right means exactly the truth's canonical form
(corpus/truth.py: no case folding, no year for a full date, every article),
not the reconciler's lenient values_agree. Also the review rate and status
agreement with expected.jsonl when it sits beside the truth.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sohoa.core.types import PERSON_FIELDS  # noqa: E402
from sohoa.corpus.truth import same_value  # noqa: E402


def _truth_for(t: dict, got: dict) -> dict:
    """The truth the report's fields (the document's and its first person's) are scored against:
    the extractor may name a judgment's defendants in another order than the generator, so the
    person fields are those of the truth's person whose name is nearest the one read."""
    persons = t.get("persons") or []
    name = (got.get("person_name") or {}).get("value")
    if len(persons) < 2 or not name:
        return t["fields"]
    from rapidfuzz import fuzz

    best = max(persons, key=lambda p: fuzz.ratio(str(p.get("person_name", "")), str(name)))
    if best is persons[0]:
        return t["fields"]
    doc_part = {k: v for k, v in t["fields"].items() if k not in PERSON_FIELDS}
    return {**doc_part, **{k: v for k, v in best.items() if k in PERSON_FIELDS}}


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
        want_fields = _truth_for(t, got)
        for name, want in want_fields.items():
            if name == "doc_type":
                continue  # judged above, from the report's doc_type
            c = per_field[name]
            if name not in got:
                c["missing"] += 1
                continue
            f = got[name]
            ok = same_value(name, f["value"], want)
            high = f["confidence"] >= threshold
            if ok:
                c["right_confident" if high else "right_flagged"] += 1
            else:
                c["silent_error" if high else "wrong_flagged"] += 1
                if high:
                    silent.append((source, name, f["value"], want, f["confidence"]))
        for name in got:
            if name not in want_fields and got[name]["confidence"] >= threshold:
                # a value where the paper has none, confidently: as silent as a wrong one
                per_field[name]["spurious_confident"] += 1
                silent.append((source, name, got[name]["value"], None, got[name]["confidence"]))
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
        rows.append((thr, tot["silent_error"] + tot["spurious_confident"], flagged / n if n else 0.0))
    return rows


def kind_of(t: dict) -> str:
    return t.get("decision_kind") or t["doc_type"]


def font_of(t: dict) -> str:
    """The font of the document (`style.font`)."""
    return str((t.get("style") or {}).get("font") or "default")


def copies_of(t: dict) -> str:
    """Born-digital, or the photocopier generations before the scan (wide corpus: `copies`)."""
    if t.get("degradation") == "born_digital":
        return "born-digital"
    copies = {(m or {}).get("copies") for m in t.get("page_meta") or [] if isinstance(m, dict)} - {None}
    return f"{max(copies)} copies" if copies else "scan"


def per_group(report: dict, truth: dict[str, dict], threshold: float, key=kind_of) -> dict[str, Counter]:
    """The same counts, summed over fields, per group of documents (`key` of the truth line:
    the document kind, decision kinds apart, by default)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for source, t in truth.items():
        if t.get("bad"):
            continue
        r = evaluate(report, {source: t}, threshold)
        for c in r["per_field"].values():
            out[key(t)].update(c)
    return out


def discrepancy_is_real(person: int, field: str, seeded: set[str]) -> bool:
    """Is a discrepancy reported on `field` of the document's `person`-th person (0: the first)
    one the registry was seeded with? The seeded record is the first person's; a document field's
    seeded error is in every person's record too (the generator copies the document's part of
    the record to the co-defendants'): reported for each, real for each."""
    return field in seeded and (person == 0 or field not in PERSON_FIELDS)


def reconciliation(report: dict, expected: list[dict], threshold: float = 0.9) -> Counter:
    """Links, seeded discrepancies and hands-off matches against the generator's expectations
    (expected.jsonl): every person's link, every discrepancy reported (persons included)."""
    docs = {d["source"]: d for d in report["documents"]}
    c: Counter = Counter()
    for exp in expected:
        d = docs.get(exp.get("source"))
        if d is None or exp["status"] in ("rejected", "unmatched_registry") or d["status"] == "rejected":
            continue
        want_links = [p["registry_record_id"] for p in exp.get("persons", [])] or [exp.get("registry_record_id")]
        got = d.get("persons") or [{"registry_record_id": d.get("registry_record_id"),
                                     "discrepancies": d.get("discrepancies", [])}]
        # persons are matched as sets: the extractor may name a judgment's defendants in another
        # order than the generator's truth; a link is wrong when it goes to a record that is none
        # of this document's persons'
        wanted = {w for w in want_links if w}
        have = {p["registry_record_id"] for p in got if p.get("registry_record_id")}
        if not wanted:
            c["links_expected_none"] += 1
            c["links_spurious" if have else "links_none_right"] += 1
        c["links_expected"] += len(wanted)
        c["links_right"] += len(wanted & have)
        c["links_missed"] += len(wanted - have)
        c["links_wrong"] += len(have - wanted) if wanted else 0
        seeded = set(exp.get("discrepancy_fields", []))
        c["discrepancies_seeded"] += len(seeded)
        reported = [(i, x["field"]) for i, p in enumerate(got) for x in p.get("discrepancies", [])]
        c["discrepancies_reported"] += len(reported)
        c["discrepancies_real"] += sum(1 for i, f in reported if discrepancy_is_real(i, f, seeded))
        found = seeded & {f for i, f in reported if i == 0}
        c["discrepancies_found"] += len(found)
        # or asked about: the field read uncertainly, its low-confidence item showing the record's value
        first = got[0].get("fields") or d.get("fields", {})
        asked = {f for f in seeded - found
                 if (first.get(f) or d.get("fields", {}).get(f) or {}).get("confidence", 1.0) < threshold}
        c["discrepancies_asked"] += len(asked)
        if exp["status"] == "matched":
            c["record_right_docs"] += 1
            c["record_right_matched"] += d["status"] == "matched"
        for f in d.get("fields", {}).values():
            c["confirmed_by_registry"] += f.get("confirmed_by") == "registry"
    return c


def print_reconciliation(c: Counter) -> None:
    def pct(a: int, b: int) -> str:
        return f"{a}/{b} = {a / b:.1%}" if b else "n/a"
    print(f"links right: {pct(c['links_right'], c['links_expected'])} (wrong record {c['links_wrong']}, "
          f"not linked {c['links_missed']}); no record and none linked: "
          f"{pct(c['links_none_right'], c['links_expected_none'])}")
    print(f"discrepancies: recall {pct(c['discrepancies_found'], c['discrepancies_seeded'])} reported, "
          f"{pct(c['discrepancies_found'] + c['discrepancies_asked'], c['discrepancies_seeded'])} reaching a "
          f"person (reported, or on a field read uncertainly whose review item shows the record's value); "
          f"precision {pct(c['discrepancies_real'], c['discrepancies_reported'])}")
    print(f"record right, `matched` hands-off: {pct(c['record_right_matched'], c['record_right_docs'])}; "
          f"values confirmed by the registry: {c['confirmed_by_registry']}")


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
              f"silent errors {tot['silent_error'] + tot['spurious_confident']} ; missing {tot['missing'] / n:.1%}")
    print(f"doc_type: {dict(r['doc_type'])}")
    statuses = Counter(d["status"] for d in report["documents"])
    print(f"statuses: {dict(statuses)}")
    for s in r["silent"]:
        print("SILENT", *s)
    # by font and by photocopier generations: a faded thin typewriter face is another problem
    # (the ink is gone) than a misread
    for title, key in (("document kind", kind_of), ("font", font_of), ("photocopies", copies_of)):
        print(f"\nper {title}:")
        print(f"{title.split()[-1]:<22}" + "".join(f"{c:>19}" for c in cols[:5]))
        for group, c in sorted(per_group(report, truth, args.threshold, key).items()):
            print(f"{group:<22}" + "".join(f"{c[k]:>19}" for k in cols[:5]))
    expected_path = args.truth.parent / "expected.jsonl"
    if expected_path.exists():
        expected = [json.loads(x) for x in expected_path.read_text("utf-8").splitlines() if x.strip()]
        print()
        print_reconciliation(reconciliation(report, expected, args.threshold))
    print("\nthreshold  silent_errors  sent_to_review")
    for thr, silent, flagged in threshold_curve(report, truth, [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98]):
        print(f"{thr:>9}  {silent:>13}  {flagged:>14.1%}")


if __name__ == "__main__":
    main()
