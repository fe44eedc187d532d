"""The dossiers a batch.json declares (contract section 1), checked strictly.

    "dossiers": [{"code": "HS-2024-017", "title": "Hồ sơ Nguyễn Văn An",
                  "files": ["ban_an.pdf", {"file": "ho_so.pdf", "pages": [3, 4]}]}]

A file entry is a batch entry's name, or one document's page range (1-based, inclusive)
inside a many-document scan: declared ranges are the cuts, nothing is detected there.
batch.json comes from a scanning station, so every value is checked before it is used:
codes and titles are bounded and free of control characters, names are plain entries of
the batch (no path, no '..'), ranges are integers inside the file and do not overlap.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from sohoa.core.errors import FatalError
from sohoa.core.types import SourceDocument

MAX_DOSSIERS = 10_000
MAX_FILES = 10_000  # entries of one dossier
MAX_TITLE = 500
CODE = re.compile(r"[\w.\-/]{1,64}")  # letters (any script), digits, . _ - / ('HS-2024/017')


@dataclass(frozen=True)
class DeclaredEntry:
    dossier: str  # its code
    ordinal: int  # 1 first, in the dossier's file list
    file: str  # the batch entry's name (the report's source)
    pages: tuple[int, int] | None  # None: the whole file is one document
    title: str | None = None  # the dossier's

    def to_json(self) -> list[Any]:
        """As BatchInfo carries it (Celery passes JSON)."""
        return [self.dossier, self.ordinal, self.file, list(self.pages) if self.pages else None, self.title]


class DossierError(FatalError):
    """batch.json declares dossiers wrongly: the batch is not run (one line says what and where)."""


def _clean_text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise DossierError(f"batch.json: {what} must be a string, not {type(value).__name__}")
    value = unicodedata.normalize("NFC", value)
    if not value.strip() or len(value) > limit:
        raise DossierError(f"batch.json: {what} must have 1 to {limit} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in value):
        raise DossierError(f"batch.json: {what} {value[:40]!r} holds control or format characters")
    return value


def _file_name(value: Any, where: str) -> str:
    name = _clean_text(value, f"{where}: file", 255)
    if name in (".", "..") or "/" in name or "\\" in name or name.startswith("~"):
        raise DossierError(f"batch.json: {where}: file {name[:60]!r} is not the name of an entry of the batch "
                           "(no paths: the dossier names files of the batch directory itself)")
    # spelled as intake.source_name spells the entry: of what _clean_text lets through, only '%'
    # is escaped there ('50%.pdf' -> '50%25.pdf'); intake imports this module, not the reverse
    return name.replace("%", "%25")


def _pages(value: Any, where: str) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise DossierError(f"batch.json: {where}: pages must be [first, last], two whole numbers")
    first, last = value
    if not 1 <= first <= last <= 1_000_000:
        raise DossierError(f"batch.json: {where}: pages [{first}, {last}] is no range of pages (1 <= first <= last)")
    return first, last


def parse_dossiers(raw: Any) -> tuple[DeclaredEntry, ...]:
    """batch.json's "dossiers" value -> its entries, in order; DossierError on anything wrong."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DossierError("batch.json: dossiers must be a list")
    if len(raw) > MAX_DOSSIERS:
        raise DossierError(f"batch.json: {len(raw)} dossiers, over the limit of {MAX_DOSSIERS}")
    out: list[DeclaredEntry] = []
    codes: set[str] = set()
    for i, d in enumerate(raw, 1):
        if not isinstance(d, dict):
            raise DossierError(f"batch.json: dossier {i} must be an object")
        unknown = set(d) - {"code", "title", "files"}
        if unknown:
            raise DossierError(f"batch.json: dossier {i}: unknown key(s) {sorted(map(str, unknown))[:5]}")
        code = _clean_text(d.get("code"), f"dossier {i}: code", 64)
        if not CODE.fullmatch(code) or code.strip("./") != code or ".." in code:
            raise DossierError(f"batch.json: dossier {i}: code {code[:70]!r} must be 1-64 letters, digits, . _ - /")
        if code in codes:
            raise DossierError(f"batch.json: dossier code {code!r} declared twice")
        codes.add(code)
        title = None if d.get("title") is None else _clean_text(d["title"], f"dossier {code}: title", MAX_TITLE)
        files = d.get("files")
        if not isinstance(files, list) or not files:
            raise DossierError(f"batch.json: dossier {code}: files must be a non-empty list")
        if len(files) > MAX_FILES:
            raise DossierError(f"batch.json: dossier {code}: {len(files)} files, over the limit of {MAX_FILES}")
        for k, f in enumerate(files, 1):
            where = f"dossier {code}, file {k}"
            if isinstance(f, dict):
                if set(f) - {"file", "pages"}:
                    raise DossierError(f"batch.json: {where}: unknown key(s) {sorted(map(str, set(f) - {'file', 'pages'}))[:5]}")
                out.append(DeclaredEntry(code, k, _file_name(f.get("file"), where), _pages(f.get("pages"), where),
                                         title))
            else:
                out.append(DeclaredEntry(code, k, _file_name(f, where), None, title))
    _no_overlap(out)
    return tuple(out)


def _no_overlap(entries: Iterable[DeclaredEntry]) -> None:
    by_file: dict[str, list[DeclaredEntry]] = {}
    for e in entries:
        by_file.setdefault(e.file, []).append(e)
    for name, es in by_file.items():
        whole = [e for e in es if e.pages is None]
        if whole and len(es) > 1:
            raise DossierError(f"batch.json: {name!r} is declared whole and again (dossiers "
                               f"{', '.join(sorted({e.dossier for e in es}))})")
        ranges = sorted(e.pages for e in es if e.pages)
        for (a1, b1), (a2, b2) in zip(ranges, ranges[1:]):
            if a2 <= b1:
                raise DossierError(f"batch.json: {name!r}: pages [{a1}, {b1}] and [{a2}, {b2}] overlap")


def check_against_batch(carried: Iterable[Any], found: Iterable[Any]) -> None:
    """Every declared file is an entry of the batch and every range lies inside its file.
    `found`: intake's SourceDocuments and Rejections (a rejected file is reported as such)."""
    items = {getattr(it, "relpath", None): it for it in found}
    for e in entries_of(carried):
        it = items.get(e.file)
        if it is None:
            raise DossierError(f"batch.json: dossier {e.dossier}: {e.file!r} is no entry of the batch")
        if e.pages and isinstance(it, SourceDocument):
            if it.kind not in ("pdf_image", "pdf_text", "tiff"):
                raise DossierError(f"batch.json: dossier {e.dossier}: {e.file!r} is a {it.kind}; page ranges "
                                   "are for a PDF or TIFF holding several documents")
            if e.pages[1] > it.page_count:
                raise DossierError(f"batch.json: dossier {e.dossier}: {e.file!r} pages {list(e.pages)} past its "
                                   f"last page ({it.page_count})")


def entries_of(carried: Iterable[Any]) -> list[DeclaredEntry]:
    """BatchInfo.dossiers (lists after a JSON round trip through Celery) -> entries."""
    out = []
    for e in carried:
        if isinstance(e, DeclaredEntry):
            out.append(e)
        else:
            code, ordinal, file, pages, title = e
            out.append(DeclaredEntry(code, int(ordinal), file, (int(pages[0]), int(pages[1])) if pages else None,
                                     title))
    return out


def declared_for(carried: Iterable[Any], relpath: str) -> list[DeclaredEntry]:
    """The declared entries of one file, in page order."""
    return sorted((e for e in entries_of(carried) if e.file == relpath), key=lambda e: e.pages or (0, 0))
