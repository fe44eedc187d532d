"""Sensitive personal data, masked unless the caller may see it (seed 001 Art. 13.2).

Masked wherever they appear, at any depth of a response (catalogue fields,
registry data, the verification report's marker fields):
- personal_id, passport_number (and other identity-document numbers): first 4
  and last 2 characters kept, `001090012345` -> `0010******45` (shorter values
  keep less, down to all stars);
- birth_date: the year only, `1990-05-02` -> `1990`;
- any address (a key naming an address, residence, domicile or birthplace):
  replaced by `***`.
"""
from __future__ import annotations

import re
from typing import Any

ID_KEYS = {"personal_id", "passport_number", "id_number", "identity_number", "citizen_id", "cccd", "cmnd"}
DATE_KEYS = {"birth_date", "date_of_birth", "dob"}
_ADDRESS_RE = re.compile(r"address|residence|domicile|birth_?place|place_of_birth|hometown|que_quan|noi_cu_tru|dia_chi",
                         re.I)
_YEAR_RE = re.compile(r"(1[89]\d\d|20\d\d)")


def is_sensitive(key: str) -> bool:
    k = key.lower()
    return k in ID_KEYS or k in DATE_KEYS or bool(_ADDRESS_RE.search(k))


def mask_id(value: Any) -> Any:
    if value is None:
        return None
    s = str(value)
    n = len(s)
    if n >= 10:
        return s[:4] + "*" * (n - 6) + s[-2:]
    if n >= 6:
        return s[:1] + "*" * (n - 3) + s[-2:]
    return "*" * n


def mask_birth_date(value: Any) -> Any:
    if value is None:
        return None
    m = _YEAR_RE.search(str(value))
    return m.group(1) if m else "****"


def mask_value(key: str, value: Any) -> Any:
    k = key.lower()
    if value is None:
        return None
    if isinstance(value, dict) and "value" in value:  # a field with its confidence, page, box
        return {**value, "value": mask_value(key, value["value"])}
    if isinstance(value, list):
        return [mask_value(key, v) for v in value]
    if k in ID_KEYS:
        return mask_id(value)
    if k in DATE_KEYS:
        return mask_birth_date(value)
    return "***"


def mask(obj: Any) -> Any:
    """A copy of obj with every sensitive key's value masked, at any depth. A
    {"name": <sensitive>, "value": …} pair (a field row) is masked too."""
    if isinstance(obj, dict):
        named = obj.get("name")
        out = {}
        for k, v in obj.items():
            if isinstance(k, str) and is_sensitive(k):
                out[k] = mask_value(k, v)
            elif k == "value" and isinstance(named, str) and is_sensitive(named):
                out[k] = mask_value(named, v)
            else:
                out[k] = mask(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [mask(v) for v in obj]
    return obj
