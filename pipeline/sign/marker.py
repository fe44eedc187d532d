"""The conversion marker: who converted which paper document, when, from what --
or, for a born-digital PDF, that it is a copy of an electronic original.

Law 20/2023/QH15 Art. 12(1) and Decree 30/2020/NĐ-CP Appendix I: a document
converted from paper carries a distinct mark that it was converted ("SAO Y",
the copy form), the converting organisation and the time, in Vietnam time
(ISO 8601, +07:00). The same facts plus operator, batch, scanner, source-file
hashes and software version are written to XMP (see ``xmp.py``).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from pathlib import PurePath
from typing import Any

#: Vietnam has kept UTC+07:00 without daylight saving since 1975, so a fixed
#: offset is exact and needs no tz database.
VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

COPY_FORM = "SAO Y"
MARKER_VERSION = "1.0"
#: what the original was (sohoa:SourceMedium, dc:source)
PAPER = "paper original"
ELECTRONIC = "electronic original (born digital)"
#: A born-digital PDF is not converted from paper: Decree 30/2020 Art. 25(2) knows
#: "sao y" only from or to paper, so its copy says what it is, a copy of an
#: electronic document, not "SAO Y" (which would claim a paper original).
COPY_FORM_ELECTRONIC = "BẢN SAO VĂN BẢN ĐIỆN TỬ"


def source_medium_for(source_kind: str) -> str:
    """The original's medium for an intake source kind: a PDF with a text layer
    ("pdf_text") is born digital; scans and page images come from paper."""
    return ELECTRONIC if source_kind == "pdf_text" else PAPER


def vn_iso(dt: datetime) -> str:
    """``2026-11-23T10:15:00+07:00``: ISO 8601 in Vietnam time, to the second."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("conversion time must be timezone-aware")
    return dt.astimezone(VN_TZ).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ConversionMarker:
    document_id: str
    unit: str
    operator: str
    converted_at: datetime
    batch_id: str
    scanner: str | None
    sources: list[tuple[str, str]]  # (relpath, sha256 hex)
    software: str  # e.g. "sohoa 0.1.0"
    source_medium: str = PAPER
    copy_form: str = field(default="")  # "": the form that fits the medium

    def __post_init__(self) -> None:
        vn_iso(self.converted_at)  # raises on a naive datetime
        if self.source_medium not in (PAPER, ELECTRONIC):
            raise ValueError(f"marker: source medium must be {PAPER!r} or {ELECTRONIC!r}, "
                             f"not {self.source_medium!r}")
        expected = COPY_FORM_ELECTRONIC if self.born_digital else COPY_FORM
        if not self.copy_form:
            object.__setattr__(self, "copy_form", expected)  # frozen: set once, here
        elif self.born_digital and self.copy_form == COPY_FORM:
            raise ValueError("marker: a born-digital document is not a 'SAO Y' of paper")
        for rel, digest in self.sources:
            if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
                raise ValueError(f"source {rel!r}: sha256 must be 64 hex digits")
        if not self.unit.strip():
            raise ValueError("marker: the converting unit must be named")

    @property
    def born_digital(self) -> bool:
        return self.source_medium == ELECTRONIC

    @property
    def converted_at_iso(self) -> str:
        return vn_iso(self.converted_at)

    def visible_lines(self) -> list[str]:
        """The human-visible marker (Decree 30/2020 App. I): form, organisation, time."""
        return [self.copy_form, self.unit, self.converted_at_iso]

    def reason(self) -> str:
        if self.born_digital:
            return ("Bản sao văn bản điện tử gốc, không chuyển đổi từ bản giấy — "
                    f"Copy of a born-digital electronic original, archived by {self.unit}")
        return (
            "Chuyển đổi từ bản giấy sang bản điện tử — "
            f"Converted from paper original by {self.unit}"
        )

    def statement(self) -> str:
        """dc:description: what the document is, by whom, when (Vietnamese, then English)."""
        when = self.converted_at_iso
        done = (f"bởi {self.unit} lúc {when}; người thực hiện: {self.operator}; "
                f"lô: {self.batch_id}")
        if self.born_digital:
            return (f"{self.copy_form}: bản sao văn bản điện tử gốc (không phải chuyển đổi từ "
                    f"bản giấy), lưu trữ {done} — copy of an electronic original (born digital).")
        return (f"{self.copy_form}: chuyển đổi từ bản giấy sang bản điện tử {done}"
                f" — converted from {self.source_medium}.")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the same keys verify_pdf() reads back from XMP."""
        return {
            "document_id": self.document_id,
            "unit": self.unit,
            "operator": self.operator,
            "converted_at": self.converted_at_iso,
            "batch_id": self.batch_id,
            "scanner": self.scanner,
            "sources": [{"path": p, "sha256": h.lower()} for p, h in self.sources],
            "software": self.software,
            "source_medium": self.source_medium,
            "copy_form": self.copy_form,
            "marker_version": MARKER_VERSION,
        }


def _json_default(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    if isinstance(obj, (PurePath, Enum)):
        return str(obj.value if isinstance(obj, Enum) else obj)
    if isinstance(obj, bytes):
        return obj.hex()
    return str(obj)


def to_json(value: Any) -> str:
    """Compact, stable JSON (UTF-8, sorted keys) for values kept in XMP."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_json_default)
