"""Registry (database entries) derived from the truth, with seeded discrepancies,
and the expected reconciliation outcome per document.

Matching model the expectations assume (contract section 2, REQUIREMENTS 7):
a document matches the record with the same doc_type and document_number;
failing that, the record with the same personal_id, doc_type and issue_date.
"""
from __future__ import annotations

import copy
import random
import unicodedata

from sohoa.core.types import PERSON_FIELDS
from sohoa.corpus import vocab

ALTERABLE = ["penalty_months", "issue_date", "person_name", "personal_id", "charges", "birth_date", "fine_vnd",
             "duration_months", "probation_months", "judgment_ref", "effective_date"]


def strip_marks(word: str) -> str:
    nfd = unicodedata.normalize("NFD", word.replace("Đ", "D").replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in nfd if unicodedata.category(c) != "Mn"))


def _shift_date(rng: random.Random, iso: str) -> str:
    import datetime as dt
    d = dt.date.fromisoformat(iso)
    for _ in range(20):
        nd = d + dt.timedelta(days=rng.choice([-1, 1]) * rng.randint(1, 25))
        if nd.year == d.year:
            return nd.isoformat()
    return (d + dt.timedelta(days=1 if d.month < 12 or d.day < 31 else -1)).isoformat()


def alter(rng: random.Random, field: str, value):
    """A plausible wrong database value for `field`."""
    if field == "penalty_months":
        return max(1, value + rng.choice([-12, -6, -3, 3, 6, 12]))
    if field in ("duration_months",):
        return max(1, value + rng.choice([-3, -1, 1, 3]))
    if field == "probation_months":
        return max(1, value + rng.choice([-12, 12]))
    if field in ("issue_date", "effective_date"):
        return _shift_date(rng, value)
    if field == "person_name":
        words = value.split()
        cands = [i for i, w in enumerate(words) if strip_marks(w) != w]
        if cands and rng.random() < 0.7:
            i = rng.choice(cands)
            words[i] = strip_marks(words[i])
        else:  # a different given name
            words[-1] = rng.choice([g for g in vocab.GIVEN_M + vocab.GIVEN_F if g != words[-1]])
        return " ".join(words)
    if field == "personal_id":
        i = rng.randint(3, len(value) - 1)
        d = str((int(value[i]) + rng.randint(1, 9)) % 10)
        return value[:i] + d + value[i + 1:]
    if field == "charges":
        others = sorted({o[0] for o in vocab.OFFENCES} - set(value))
        return [rng.choice(others)] + value[1:]
    if field == "birth_date":
        if len(value) == 4:
            return str(int(value) + rng.choice([-1, 1]))
        y, m, d = value.split("-")
        if int(d) <= 12 and d != m:
            return f"{y}-{d}-{m}"
        return f"{int(y) + rng.choice([-1, 1])}-{m}-{d}"
    if field == "fine_vnd":
        return value + rng.choice([-5_000_000, 5_000_000, 10_000_000]) if value > 10_000_000 else value * 10
    if field in ("judgment_ref", "document_number"):
        num, rest = value.split("/", 1)
        n = int(num)
        n2 = n + rng.choice([-3, -1, 1, 2, 10, 100]) if n > 10 else n + rng.randint(1, 9) * 10
        return (f"{n2:02d}" if n2 < 10 else str(n2)) + "/" + rest
    raise ValueError(field)


def build(rng: random.Random, docs: list[dict], orphan_fields: list[dict]):
    """docs: truth lines of good documents. Returns (registry records, expected lines)."""
    n = len(docs)
    order = list(range(n))
    rng.shuffle(order)
    n_none = max(1, round(0.10 * n)) if n >= 3 else 0
    n_docnum = max(1, round(0.08 * n)) if n >= 5 else 0
    n_alter = max(1, round(0.15 * n)) if n >= 2 else 0
    none_set = set(order[:n_none])
    rest = order[n_none:]
    with_pid = [i for i in rest if "personal_id" in docs[i]["fields"]]
    docnum_set = set(with_pid[:n_docnum])
    rest2 = [i for i in rest if i not in docnum_set]
    alter_set = set(rest2[:n_alter])

    records = []
    co_records: list[dict] = []  # added after the shuffle: earlier seeds' registries stay as they were
    expected = []
    rec_no = [rng.randint(100, 5000)]

    def next_id() -> str:
        rec_no[0] += rng.randint(1, 40)
        return f"R{rec_no[0]:06d}"

    for i, t in enumerate(docs):
        f = t["fields"]
        exp = {"source": t["source"], "status": "matched", "registry_record_id": None, "match_by": "document_number",
               "discrepancy_fields": [], "discrepancies": []}
        if i in none_set:
            exp.update(status="unmatched", match_by=None)
            expected.append(exp)
            continue
        rec = {"record_id": next_id(), **copy.deepcopy(f)}
        exp["registry_record_id"] = rec["record_id"]
        if i in docnum_set:
            rec["document_number"] = alter(rng, "document_number", f["document_number"])
            exp.update(status="mismatch", match_by="personal_id+doc_type+issue_date", discrepancy_fields=["document_number"],
                       discrepancies=[{"field": "document_number", "document_value": f["document_number"],
                                       "registry_value": rec["document_number"]}])
        elif i in alter_set:
            cands = [k for k in ALTERABLE if k in f]
            k = rng.choice(cands)
            rec[k] = alter(rng, k, f[k])
            exp.update(status="mismatch", discrepancy_fields=[k],
                       discrepancies=[{"field": k, "document_value": f[k], "registry_value": rec[k]}])
        records.append(rec)
        # one record per document and person (contract section 2): the co-defendants' own
        exp["persons"] = [{"registry_record_id": rec["record_id"]}]
        doc_part = {k: v for k, v in rec.items() if k not in PERSON_FIELDS}
        for no, person in enumerate(t.get("persons", [])[1:], 2):
            co = {**doc_part, **copy.deepcopy(person), "record_id": f"{rec['record_id']}-{no}"}
            co_records.append(co)
            exp["persons"].append({"registry_record_id": co["record_id"]})
        expected.append(exp)
    for of in orphan_fields:
        rec = {"record_id": next_id(), **of}
        records.append(rec)
        expected.append({"source": None, "status": "unmatched_registry", "registry_record_id": rec["record_id"]})
    rng.shuffle(records)
    return records + co_records, expected
