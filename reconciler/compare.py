"""Field comparison between a document's extracted value and a registry value.

Contract: values compare equal after Unicode NFC, case-folding and collapsing
whitespace. Beyond that, only what the canonical forms imply: numbers by
value, lists as sets, a year-only birth date agrees with a full date of that
year, and Penal Code articles compare on the Special Part (offence) articles,
since General Part articles (1-107) may or may not be listed.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

# Fields that identify a record rather than describe it; compared all the same.
COMPARED_FIELDS = (
    "doc_type", "decision_kind", "document_number", "trial_level", "issue_date", "issuer",
    "person_name", "birth_date", "personal_id", "passport_number", "charges", "penal_code_articles",
    "principal_penalty", "penalty_months", "probation_months", "fine_vnd", "judgment_ref",
    "duration_months", "effective_date",
)
_INT_FIELDS = {"penalty_months", "probation_months", "fine_vnd", "duration_months"}
SPECIAL_PART_FIRST_ARTICLE = 108  # Penal Code 2015: Part Two starts at Art. 108


def norm_text(value: Any) -> str:
    s = unicodedata.normalize("NFC", str(value))
    return re.sub(r"\s+", " ", s).strip().casefold()


def norm_document_number(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", str(value))).upper()


def norm_passport(value: Any) -> str:
    """Passport numbers as printed, without spaces or dashes, upper case."""
    return re.sub(r"[\s\-]+", "", unicodedata.normalize("NFC", str(value))).upper()


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def _offence_articles(values: Any) -> set[str]:
    out = set()
    for v in values if isinstance(values, list) else [values]:
        m = re.match(r"\s*(\d+)", str(v))
        if m and int(m.group(1)) >= SPECIAL_PART_FIRST_ARTICLE:
            out.add(str(int(m.group(1))))
    return out


def values_agree(field: str, doc_value: Any, reg_value: Any) -> bool:
    if field in _INT_FIELDS:
        n, m = _as_int(doc_value), _as_int(reg_value)
        return n is not None and n == m
    if field == "penal_code_articles":
        return _offence_articles(doc_value) == _offence_articles(reg_value)
    if field in ("document_number", "judgment_ref"):
        return norm_document_number(doc_value) == norm_document_number(reg_value)
    if field == "passport_number":
        return norm_passport(doc_value) == norm_passport(reg_value)
    if field == "birth_date":
        a, b = norm_text(doc_value), norm_text(reg_value)
        if len(a) == 4 or len(b) == 4:  # year only printed: agree on the year
            return a[:4] == b[:4]
        return a == b
    if isinstance(doc_value, list) or isinstance(reg_value, list):
        xs = doc_value if isinstance(doc_value, list) else [doc_value]
        ys = reg_value if isinstance(reg_value, list) else [reg_value]
        return sorted(norm_text(x) for x in xs) == sorted(norm_text(x) for x in ys)
    return norm_text(doc_value) == norm_text(reg_value)


def discrepancies(doc_fields: dict[str, Any], record: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields present on both sides whose values disagree, in contract form."""
    out = []
    for field in COMPARED_FIELDS:
        if field not in doc_fields or record.get(field) is None:
            continue
        if not values_agree(field, doc_fields[field], record[field]):
            out.append({"field": field, "document_value": doc_fields[field], "registry_value": record[field]})
    return out
