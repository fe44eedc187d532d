"""Archival metadata per Decree 30/2020/NĐ-CP Appendix VI, exported with each document."""
from __future__ import annotations

import re
from typing import Any

TYPE_NAMES = {
    "judgment": "Bản án",
    "decision": "Quyết định",
    "certificate": "Giấy chứng nhận",
}
DECISION_TYPE_NAMES = {
    "execute_sentence": "Quyết định thi hành án",
    "postpone": "Quyết định hoãn chấp hành án",
    "suspend": "Quyết định tạm đình chỉ chấp hành án",
    "reduce": "Quyết định giảm thời hạn chấp hành án",
    "shorten_probation": "Quyết định rút ngắn thời gian thử thách",
    "exempt": "Quyết định miễn chấp hành án",
    "parole": "Quyết định tha tù trước thời hạn có điều kiện",
    "completion": "Giấy chứng nhận chấp hành xong án",
    "expunge": "Giấy chứng nhận xóa án tích",
}


def split_number(document_number: str | None) -> tuple[str | None, str | None]:
    """'125/2024/HS-ST' -> ('125', '2024/HS-ST'): CodeNumber and CodeNotation."""
    if not document_number:
        return None, None
    m = re.match(r"^(\d+)/(.+)$", document_number)
    return (m.group(1), m.group(2)) if m else (None, document_number)


def archival_metadata(
    *, organ_code: str, doc_type: str | None, values: dict[str, Any], page_count: int, ordinal: int,
    language: str = "vi",
) -> dict[str, Any]:
    number, notation = split_number(values.get("document_number"))
    issued = values.get("issue_date")
    year = (issued or "")[:4] or None
    kind = values.get("decision_kind")
    type_name = DECISION_TYPE_NAMES.get(kind) if kind else TYPE_NAMES.get(doc_type or "", "Tài liệu")
    person = values.get("person_name")
    subject = f"{type_name} {values.get('document_number') or ''}".strip()
    if person:
        subject += f" — {person}"
    return {
        "FileCode": f"{organ_code}.{year or '0000'}.{notation or 'CHUAXACDINH'}",
        "DocOrdinal": ordinal,
        "TypeName": type_name,
        "CodeNumber": number,
        "CodeNotation": notation,
        "IssuedDate": issued,
        "OrganName": values.get("issuer"),
        "Subject": subject,
        "Language": language,
        "PageAmount": page_count,
        "Description": "Số hóa từ bản giấy (converted from the paper original)",
        "SignerInfo": None,
        "Priority": "Thường",
        "Maintenance": "Vĩnh viễn",  # permanent retention (seed 002 Art. 20)
    }
