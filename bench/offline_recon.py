"""Extraction and reconciliation of a recorded corpus, without the pipeline: the reconciler's
fastest loop (issue 15). Reads a replay's cached OCR (bench/replay.py `record`) and never writes
into the corpus directory.

    python bench/offline_recon.py bench/out/replay/SEED-LEVEL-wide [-v] [--calibrated 0|1]

For each document: the cached pages (a born-digital PDF's text layer is read again), extract(),
each person linked in a scratch SQLite catalogue holding the corpus's registry
(reconciler.match), decide() per person as the pipeline's reconcile does. Prints, for every
document whose registry record is right (expected `matched`), what kept it from `matched`, and
the reconciliation figures of bench/accuracy.py (links, discrepancy recall and precision,
matched hands-off).
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accuracy import discrepancy_is_real  # noqa: E402  (bench/, this script's folder)
from sohoa.core.types import PERSON_FIELDS  # noqa: E402
from sohoa.corpus.truth import same_value  # noqa: E402


def _lines(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_text("utf-8").splitlines() if x.strip()]


def corpus_pages(d: Path) -> dict[str, list[Any]]:
    """source -> its pages (PageText), from the replay's OCR cache or the text layer."""
    from sohoa.core.config import load_settings
    from sohoa.pipeline.intake import Intake
    from sohoa.pipeline.ocr.document import read_text_document
    from sohoa.pipeline.orchestrate import document_id_for

    out: dict[str, list[Any]] = {}
    with tempfile.TemporaryDirectory(prefix="offline-") as tmp:
        for k, sd in enumerate(Intake(load_settings()).scan(d / "s" / "batch")):
            if not hasattr(sd, "files"):
                continue
            if sd.kind == "pdf_text":
                out[sd.relpath] = read_text_document(sd, Path(tmp) / f"{k}.pdf").pages
                continue
            cache = d / "cache" / document_id_for(sd)
            pages = sorted(cache.glob("page-*.pkl"))
            if pages:
                out[sd.relpath] = [pickle.loads(p.read_bytes()).text for p in pages]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("-v", action="store_true", help="also the documents that came out right")
    ap.add_argument("--calibrated", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--confirm", type=int, default=1)
    a = ap.parse_args()
    d: Path = a.corpus
    from sohoa.archive.catalogue import Catalogue
    from sohoa.pipeline.extract import extract
    from sohoa.reconciler import decide
    from sohoa.reconciler.match import match_persons
    from sohoa.reconciler.registry import import_registry

    truth = {t["source"]: t for t in _lines(d / "s" / "truth.jsonl")}
    expected = {e["source"]: e for e in _lines(d / "s" / "expected.jsonl") if e.get("source")}
    pages = corpus_pages(d)
    tmp = tempfile.mkdtemp(prefix="offline-cat-")
    cat = Catalogue(f"sqlite:///{tmp}/c.sqlite3")
    import_registry(cat, d / "s" / "registry.jsonl", actor="offline")
    c: Counter = Counter()
    causes: Counter = Counter()
    sole: Counter = Counter()
    for source, exp in sorted(expected.items()):
        if source not in pages:
            c["no_pages"] += 1
            continue
        t = truth[source]
        ex = extract(pages[source], calibrated=bool(a.calibrated))
        doc_fields = {k: v for k, v in ex.fields.items() if k not in PERSON_FIELDS}
        persons = [dict(p) for p in ex.all_persons()]
        with cat.session() as s:
            rows = match_persons(s, ex.doc_type, {k: v.value for k, v in doc_fields.items()},
                                 [{k: v.value for k, v in p.items()} for p in persons])
            recs = [r.data if r is not None else None for r in rows]
        results = [decide(ex.doc_type, {**doc_fields, **p}, rec, a.threshold, bool(a.confirm))
                   for p, rec in zip(persons, recs)]
        from sohoa.core.enums import most_severe
        status = most_severe([r.status for r in results]) if results else "needs_review"
        # links
        want = [p["registry_record_id"] for p in exp.get("persons", [])] or (
            [exp["registry_record_id"]] if exp.get("registry_record_id") else [])
        have = {r.record_id for r in results if r.record_id}
        c["links_expected"] += len(set(want))
        c["links_right"] += len(set(want) & have)
        c["links_wrong"] += len(have - set(want))
        seeded = set(exp.get("discrepancy_fields", []))
        reported = [x["field"] for x in (results[0].discrepancies if results else [])]
        others = [x["field"] for r in results[1:] for x in r.discrepancies]
        c["disc_seeded"] += len(seeded)
        c["disc_reported"] += len(reported) + len(others)
        c["disc_real"] += sum(1 for f in reported if discrepancy_is_real(0, f, seeded)) + sum(
            1 for f in others if discrepancy_is_real(1, f, seeded))
        c["disc_found"] += len(seeded & set(reported))
        first = {**doc_fields, **(persons[0] if persons else {})}
        if seeded - set(reported):
            lost = seeded - set(reported)
            print(f"\n{source} seeded {sorted(seeded)} not reported: status {status}, "
                  + ", ".join(f"{f}: read {first[f].value!r}@{first[f].confidence}" if f in first else f"{f}: not read"
                              for f in lost))
        false = ([f for f in reported if not discrepancy_is_real(0, f, seeded)]
                 + [f for f in others if not discrepancy_is_real(1, f, seeded)])
        if false:
            print(f"\n{source} FALSE discrepancies {false}: "
                  + "; ".join(f"{x}" for r in results for x in r.discrepancies if x["field"] in false))
        for i, (r, p) in enumerate(zip(results, persons)):
            tf = t["fields"] if i == 0 else {**t["fields"], **((t.get("persons") or [])[i:i + 1] or [{}])[0]}
            for name in r.confirmed:
                f = {**doc_fields, **p}[name]
                ok = name in tf and same_value(name, f.value, tf[name])
                c["confirmed"] += 1
                c["confirmed_wrong"] += not ok
                if not ok:
                    print(f"\n{source} p{i} CONFIRMED WRONG {name} read {f.value!r}@{f.confidence} truth {tf.get(name)!r}")
        if exp["status"] != "matched":
            continue
        c["record_right"] += 1
        c["record_right_matched"] += status == "matched"
        if status == "matched" and not a.v:
            continue
        want_fields = t["fields"]
        labels = []
        print(f"\n{source} [{t['doc_type']}/{t.get('decision_kind') or ''}] {status} persons={len(persons)} "
              f"links={[r.record_id for r in results]} want={want}")
        for i, (r, p) in enumerate(zip(results, persons)):
            fields = {**doc_fields, **p}
            tf = want_fields if i == 0 else {**{k: v for k, v in want_fields.items() if k not in PERSON_FIELDS},
                                             **((t.get("persons") or [{}] * 9)[i] if i < len(t.get("persons") or [])
                                                else {})}
            if r.record_id is None:
                labels.append("unmatched")
                print(f"  p{i} UNMATCHED {p.get('person_name')}")
            for x in r.discrepancies:
                labels.append(f"discrepancy:{x['field']}")
                print(f"  p{i} DISCREPANCY {x} conf={fields[x['field']].confidence if x['field'] in fields else None} "
                      f"truth={tf.get(x['field'])!r}")
            for name in r.low_confidence:
                if i > 0 and name not in PERSON_FIELDS:
                    continue
                f = fields.get(name)
                tv = tf.get(name, "<none>")
                ok = f is not None and tv != "<none>" and same_value(name, f.value, tv)
                rec = recs[i] or {}
                agrees = f is not None and rec.get(name) is not None and same_value(name, f.value, rec.get(name))
                kind = "doubtful" if f is not None and f.doubtful else "alts" if f is not None and f.alternatives \
                    else "plain"
                lab = f"low:{'right' if ok else 'WRONG'}:{'reg-agrees' if agrees else 'reg-differs' if rec.get(name) is not None else 'reg-none'}:{kind}"
                labels.append(lab)
                causes[f"{lab}:{name}"] += 1
                print(f"  p{i} low {name:<20} read={None if f is None else f.value!r} conf={None if f is None else f.confidence} "
                      f"reg={rec.get(name)!r} truth={tv!r} {lab} alts={None if f is None else f.alternatives}")
            for name in r.missing:
                if i > 0 and name not in PERSON_FIELDS:
                    continue
                labels.append(f"missing:{name}")
                print(f"  p{i} MISSING {name} truth={tf.get(name, '<none>')!r}")
        for lab in labels:
            causes[lab.rsplit(':', 0)[0] if not lab.startswith("low") else ":".join(lab.split(":")[:4])] += 1
        if len(set(labels)) == 1:
            sole[labels[0]] += 1
    print("\nstatus counts etc:", dict(c))
    pct = (lambda x, y: f"{x}/{y} = {x / y:.1%}" if y else "n/a")
    print(f"links right {pct(c['links_right'], c['links_expected'])}, wrong {c['links_wrong']}; "
          f"discrepancy recall {pct(c['disc_found'], c['disc_seeded'])}, precision {pct(c['disc_real'], c['disc_reported'])}; "
          f"record right matched hands-off {pct(c['record_right_matched'], c['record_right'])}; "
          f"confirmed by the registry {c['confirmed']}, of them wrong {c['confirmed_wrong']}")
    print("\ncauses:")
    for k, v in causes.most_common():
        print(f"  {v:>4}  {k}")
    print("\nheld back by one kind of item only:")
    for k, v in sole.most_common():
        print(f"  {v:>4}  {k}")


if __name__ == "__main__":
    main()
