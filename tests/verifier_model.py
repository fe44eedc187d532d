"""What a careful verifier knows, having read the scan: the generator's truth for a person of a
document, and the values the workbench shows read back in the registry's form. Shared by the
walkthrough (tests/test_ui_walkthrough.py) and the review bench (bench/bench_review.py)."""
from __future__ import annotations


def person_truth(t: dict, k: int) -> dict:
    """What the paper says about person k: the document's own fields and that person's
    (truth lines list every person's fields in order; `fields` holds the first one's)."""
    from sohoa.core.types import PERSON_FIELDS

    people = t.get("persons") or []
    if k >= len(people):
        return dict(t["fields"]) if k == 0 else {}
    return {**{n: v for n, v in t["fields"].items() if n not in PERSON_FIELDS}, **people[k]}


def truth_value(t: dict, field: str, k: int = 0):
    if field == "doc_type":
        return t["doc_type"]
    return person_truth(t, k).get(field)


def expected_record(e: dict, k: int) -> str | None:
    """The registry record person k of a document belongs to, as the generator knows it."""
    people = e.get("persons") or []
    if k < len(people):
        return people[k].get("registry_record_id")
    return e.get("registry_record_id") if k == 0 else None


def parse(field: str, text: str):
    """A value as the page shows it, in the registry's form; None when absent or unreadable."""
    from sohoa.ui import workflow

    text = text.strip()
    if text in ("", "—"):
        return None
    try:
        return workflow.parse_value(field, text)
    except workflow.ActionError:
        return text


def agree(field: str, a, b) -> bool:
    from sohoa.reconciler.compare import values_agree

    return a is not None and b is not None and values_agree(field, a, b)
