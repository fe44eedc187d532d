"""Typed values passed between pipeline stages.

Each stage takes and returns these, so a stage can be run, tested and
replaced on its own (intake -> raster/ocr -> extract -> sign -> store ->
reconcile).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# Coordinates: PDF points (1/72 inch), origin top-left of the page,
# (x0, top, x1, bottom) -- the same convention pdfplumber uses.
BBox = tuple[float, float, float, float]

DocType = Literal["judgment", "decision", "certificate"]
SourceKind = Literal["pdf_image", "pdf_text", "tiff", "image_dir", "image"]


@dataclass(frozen=True)
class Word:
    text: str  # NFC
    confidence: float  # 0..1 (1.0 for a born-digital text layer)
    bbox: BBox
    line: int  # page-unique line number, in reading order
    block: int = 0  # page-unique block (paragraph) number
    alternatives: tuple[str, ...] = ()  # another read's spelling the OCR could not rule out
    verified: bool = False  # a second, independent read agreed with this one


@dataclass
class PageText:
    number: int  # 1-based
    width: float  # points
    height: float  # points
    words: list[Word]
    source: Literal["ocr", "text_layer"] = "ocr"

    def lines(self) -> list[list[Word]]:
        """Words grouped by line, in reading order."""
        by_line: dict[int, list[Word]] = {}
        for w in self.words:
            by_line.setdefault(w.line, []).append(w)
        return [sorted(ws, key=lambda w: w.bbox[0]) for _, ws in sorted(by_line.items())]

    @property
    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in ws) for ws in self.lines())


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    relpath: str  # relative to the batch directory, POSIX separators
    sha256: str
    size: int


@dataclass
class SourceDocument:
    """One document found in a batch, after intake checks passed."""

    relpath: str  # the report's "source"
    kind: SourceKind
    files: list[SourceFile]  # one file, or the page images of a folder in order
    page_count: int
    # one document of a many-document scan: its pages in the source (1-based, inclusive);
    # None: the whole source is the document (pipeline/split.py)
    pages: tuple[int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        d = {"relpath": self.relpath, "kind": self.kind, "page_count": self.page_count,
             "files": [{"path": str(f.path), "relpath": f.relpath, "sha256": f.sha256, "size": f.size}
                       for f in self.files]}
        if self.pages is not None:
            d["pages"] = list(self.pages)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "SourceDocument":
        files = [SourceFile(Path(f["path"]), f["relpath"], f["sha256"], int(f["size"])) for f in d["files"]]
        pages = (int(d["pages"][0]), int(d["pages"][1])) if d.get("pages") else None
        return cls(d["relpath"], d["kind"], files, int(d["page_count"]), pages)

    @property
    def item_key(self) -> str:
        """The batch item's key: the source, and a part's page range ('hs.pdf#pages=3-4')."""
        return item_key(self.relpath, self.pages)

    @property
    def content_sha256(self) -> str:
        """Identity of the document: hash over its source files' hashes in order."""
        import hashlib

        h = hashlib.sha256()
        for f in self.files:
            h.update(bytes.fromhex(f.sha256))
        if self.pages is not None:  # a part: the source's hash and its page range (a whole file's is unchanged)
            h.update(f"#pages={self.pages[0]}-{self.pages[1]}".encode())
        return h.hexdigest()


def item_key(source: str, pages: tuple[int, int] | list[int] | None) -> str:
    """A batch item's key (unique per batch): the report's source, and a part's pages."""
    return source if not pages else f"{source}#pages={pages[0]}-{pages[1]}"


@dataclass(frozen=True)
class ExtractedField:
    """A value read and how sure the read is. `alternatives`: other values the read could not
    rule out (a losing anchor's value, a second read's); `doubtful`: the doubt is about the
    characters themselves (weak OCR, a repaired digit, a dropped tone mark), so an outside
    source that agrees may hold the same slip. `confirmed_by`: the source whose agreement lifted
    the confidence to `confidence` (contract section 4)."""

    value: Any
    confidence: float  # 0..1
    page: int | None = None
    bbox: BBox | None = None
    alternatives: tuple[Any, ...] = ()
    doubtful: bool = False
    confirmed_by: str | None = None

    def to_report(self) -> dict[str, Any]:
        d: dict[str, Any] = {"value": self.value, "confidence": round(self.confidence, 4)}
        if self.page is not None:
            d["page"] = self.page
        if self.bbox is not None:
            d["bbox"] = [round(v, 2) for v in self.bbox]
        if self.confirmed_by:
            d["confirmed_by"] = self.confirmed_by
        return d

    def read_evidence(self) -> dict[str, Any] | None:
        """What the catalogue keeps of the read beside value and confidence (None: nothing)."""
        if not self.alternatives and not self.doubtful:
            return None
        return {"alternatives": list(self.alternatives), "doubtful": self.doubtful}


# Contract section 2: which fields describe the document and which one person of it.
DOCUMENT_FIELDS = ("doc_type", "decision_kind", "document_number", "trial_level", "issue_date", "issuer",
                   "effective_date", "judgment_ref", "duration_months")
PERSON_FIELDS = ("person_name", "birth_date", "personal_id", "passport_number", "charges", "penal_code_articles",
                 "principal_penalty", "penalty_months", "probation_months", "fine_vnd")


def person_part(fields: dict[str, ExtractedField]) -> dict[str, ExtractedField]:
    return {k: f for k, f in fields.items() if k in PERSON_FIELDS}


def document_part(fields: dict[str, ExtractedField]) -> dict[str, ExtractedField]:
    return {k: f for k, f in fields.items() if k not in PERSON_FIELDS}


@dataclass
class Extraction:
    """What the extractor read. `fields` is the contract's v1 view: the document's
    fields and its first person's; `persons` holds every person's own fields, in
    the order the document names them (contract section 5). An extractor that
    found one person may leave `persons` empty: `all_persons()` derives it."""

    doc_type: DocType | None
    doc_type_confidence: float
    fields: dict[str, ExtractedField] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    persons: list[dict[str, ExtractedField]] = field(default_factory=list)

    def all_persons(self) -> list[dict[str, ExtractedField]]:
        if getattr(self, "persons", None):  # work areas pickled before persons existed have none
            return self.persons
        return [person_part(self.fields)]
