"""Registry import: the database entries documents are reconciled against.

An import is all-or-nothing: one transaction, and one bad line refuses the
whole file with its line number (every line is checked, the first bad one
stops the writing and rolls it back). The file is read as a stream and
written in chunks, so a registry of millions of records imports in the memory
of one chunk. Re-importing a record changes only what differs, and every
change gets a history row.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from sohoa.archive.catalogue import Catalogue, audit, utcnow
from sohoa.archive.models import RegistryHistory, RegistryRecord
from sohoa.core.errors import SohoaError
from sohoa.core.runtime import CatalogueAccess
from sohoa.core.text import name_key
from sohoa.reconciler.compare import norm_document_number, norm_passport
from sohoa.reconciler.decided import decided_fields, raise_conflict
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

DOC_TYPES = {"judgment", "decision", "certificate"}
DECISION_KINDS = {
    "execute_sentence", "postpone", "suspend", "reduce", "shorten_probation", "exempt", "parole",
    "completion", "expunge",
}
PENALTIES = {
    "imprisonment", "suspended_imprisonment", "non_custodial_reform", "fine", "life_imprisonment", "death",
    "expulsion",
}
_DATE_FIELDS = ("issue_date", "effective_date")
_INT_FIELDS = ("penalty_months", "probation_months", "fine_vnd", "duration_months")
MAX_LINE = 64 * 1024


class RegistryError(SohoaError):
    pass


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    warnings: list[str]
    conflicts: int = 0  # changes to a decided field held back, each a conflict item (reconciler/decided.py)


def _nfc(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def _check_date(name: str, v: str, year_only_ok: bool = False) -> str:
    if year_only_ok and re.fullmatch(r"\d{4}", v):
        return v
    try:
        return date.fromisoformat(v).isoformat()
    except ValueError:
        raise ValueError(f"{name} {v!r} is not a real ISO date YYYY-MM-DD") from None


def normalise_record(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """A registry line in canonical form and its content warnings.

    Structural faults (not an object, no record_id, unknown doc_type, wrong
    value types) raise ValueError and refuse the import. Implausible values
    (an 11-digit ID, 30 February) are the database's errors that
    reconciliation exists to find: they are imported as they are, with a
    warning.
    """
    warnings: list[str] = []
    if not isinstance(raw, dict):
        raise ValueError("a record must be a JSON object")
    rec = dict(raw)
    rid = rec.get("record_id")
    if not isinstance(rid, str) or not re.fullmatch(r"[\w.\-/]{1,64}", rid):
        raise ValueError("record_id missing or not 1-64 letters, digits, . _ - /")
    if rec.get("doc_type") not in DOC_TYPES:
        raise ValueError(f"doc_type must be one of {sorted(DOC_TYPES)}")
    if rec.get("decision_kind") is not None and rec["decision_kind"] not in DECISION_KINDS:
        raise ValueError(f"decision_kind {rec['decision_kind']!r} unknown")
    if rec.get("principal_penalty") is not None and rec["principal_penalty"] not in PENALTIES:
        raise ValueError(f"principal_penalty {rec['principal_penalty']!r} unknown")
    for f in ("document_number", "judgment_ref"):
        if rec.get(f) is not None:
            rec[f] = norm_document_number(rec[f])
    for f in ("issuer", "person_name"):
        if rec.get(f) is not None:
            if not isinstance(rec[f], str):
                raise ValueError(f"{f} must be a string")
            rec[f] = _nfc(rec[f])
    if rec.get("personal_id") is not None:
        pid = str(rec["personal_id"]).strip()
        if not re.fullmatch(r"\d{12}", pid):
            warnings.append(f"personal_id {pid!r} is not 12 digits")
        rec["personal_id"] = pid
    if rec.get("passport_number") is not None:
        rec["passport_number"] = norm_passport(rec["passport_number"])
    for f in (*_DATE_FIELDS, "birth_date"):
        if rec.get(f) is not None:
            if not isinstance(rec[f], str):
                raise ValueError(f"{f} must be a string date")
            try:
                rec[f] = _check_date(f, rec[f], year_only_ok=f == "birth_date")
            except ValueError as exc:
                warnings.append(str(exc))
    for f in _INT_FIELDS:
        if rec.get(f) is not None and (isinstance(rec[f], bool) or not isinstance(rec[f], int) or rec[f] < 0):
            raise ValueError(f"{f} must be a non-negative integer")
    for f in ("charges", "penal_code_articles"):
        if rec.get(f) is not None:
            if not isinstance(rec[f], list) or not all(isinstance(x, (str, int)) for x in rec[f]):
                raise ValueError(f"{f} must be a list of strings")
            rec[f] = [_nfc(str(x)) for x in rec[f]]
    return rec, warnings


CHUNK = 2000  # records written per round trip (one executemany per table)


def iter_registry(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, list[str]]]:
    """(line number, record, its warnings) per non-empty line, read as a stream; a bad
    line gives (n, None, [the fault]). A file that cannot be read raises RegistryError."""
    seen: set[str] = set()
    try:
        with path.open(encoding="utf-8", newline="") as f:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                if len(line) > MAX_LINE:
                    yield n, None, [f"longer than {MAX_LINE} characters"]
                    continue
                try:
                    rec, rec_warnings = normalise_record(json.loads(line))
                except ValueError as exc:  # JSONDecodeError is a ValueError
                    yield n, None, [str(exc)]
                    continue
                if rec["record_id"] in seen:
                    yield n, None, [f"record_id {rec['record_id']} repeated"]
                    continue
                seen.add(rec["record_id"])
                yield n, rec, rec_warnings
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such registry file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: unreadable ({exc})") from None


def _refuse(path: Path, errors: list[str]) -> RegistryError:
    shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
    return RegistryError(f"{path}: {len(errors)} bad line(s), nothing imported: {shown}")


def read_registry(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Every record of the file and the warnings, or RegistryError naming the bad lines."""
    records, errors, warnings = [], [], []
    for n, rec, notes in iter_registry(path):
        if rec is None:
            errors.append(f"line {n}: {notes[0]}")
            continue
        records.append(rec)
        warnings += [f"line {n} ({rec['record_id']}): {w}" for w in notes]
    if errors:
        raise _refuse(path, errors)
    return records, warnings


def import_registry(catalogue: Catalogue, path: Path, actor: str, chunk: int = CHUNK) -> ImportResult:
    """Import (or re-import) a registry file in one transaction: a stream of lines,
    written `chunk` records at a time (one multi-row INSERT per table for new records),
    so a registry of millions of records needs memory for one chunk, not the file.
    The first bad line stops the writing (the rest is still checked, to name every bad
    line) and the transaction is rolled back: nothing of the file is imported."""
    errors: list[str] = []
    warnings: list[str] = []
    counts = [0, 0, 0, 0]  # added, updated, unchanged, conflicts
    now = utcnow()
    with catalogue.session() as s:
        batch: list[dict[str, Any]] = []
        for n, rec, notes in iter_registry(path):
            if rec is None:
                errors.append(f"line {n}: {notes[0]}")
                continue
            warnings += [f"line {n} ({rec['record_id']}): {w}" for w in notes]
            if errors:
                continue  # refused already: check the rest, write nothing
            batch.append(rec)
            if len(batch) >= chunk:
                _write_chunk(s, batch, counts, now, actor, path.name)
                batch = []
        if errors:
            raise _refuse(path, errors)  # the session's transaction rolls back what was written
        _write_chunk(s, batch, counts, now, actor, path.name)
        added, updated, unchanged, conflicts = counts
        audit(s, actor, "registry.import", str(path.name), added=added, updated=updated, unchanged=unchanged,
              conflicts=conflicts)
    return ImportResult(added, updated, unchanged, warnings, conflicts)


def _write_chunk(s: Session, batch: list[dict[str, Any]], counts: list[int], now: datetime, actor: str,
                 source: str) -> None:
    """New records (with their "*" history row) in one INSERT per table; a changed
    record gets a history row per changed field and its row refilled."""
    if not batch:
        return
    rows = {r.record_id: r for r in s.scalars(
        select(RegistryRecord).where(RegistryRecord.record_id.in_([rec["record_id"] for rec in batch])))}
    new_rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    decided = decided_fields(s, rows)  # nothing reverts a person's decision
    for rec in batch:
        row = rows.get(rec["record_id"])
        if row is None:
            new_rows.append({"record_id": rec["record_id"], "imported_at": now, **_columns(rec, now)})
            history.append({"record_id": rec["record_id"], "at": now, "actor": actor, "field": "*",
                            "old_value": None, "new_value": rec, "reason": f"imported from {source}",
                            "approved_by": None})
            counts[0] += 1
            continue
        old = row.data
        changed = sorted(k for k in set(old) | set(rec) if old.get(k) != rec.get(k))
        for k in [k for k in changed if k in decided.get(row.record_id, {})]:
            raise_conflict(s, row.record_id, k, old.get(k), rec.get(k), source, actor, now)
            rec[k] = old.get(k)  # the decision stays; the verifier sees the incoming value
            if k not in old:
                del rec[k]
            changed.remove(k)
            counts[3] += 1
        if not changed:
            counts[2] += 1
            continue
        history += [{"record_id": row.record_id, "at": now, "actor": actor, "field": k, "old_value": old.get(k),
                     "new_value": rec.get(k), "reason": f"re-imported from {source}", "approved_by": None}
                    for k in changed]
        fill_row(row, rec, now)
        counts[1] += 1
    s.flush()  # the refilled rows
    if new_rows:  # the records before their history rows (foreign key)
        s.execute(insert(RegistryRecord), new_rows)
    if history:
        s.execute(insert(RegistryHistory), history)
    s.expunge_all()  # the chunk's rows are written: hold no more than one chunk


def _columns(rec: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The record's data and the indexed columns matching reads it by."""
    return {"doc_type": rec["doc_type"], "document_number": rec.get("document_number"),
            "personal_id": rec.get("personal_id"), "passport_number": rec.get("passport_number"),
            "issue_date": rec.get("issue_date"),
            "name_key": name_key(rec["person_name"])[:200] if rec.get("person_name") else None,
            "data": rec, "updated_at": now}


def fill_row(row: RegistryRecord, rec: dict[str, Any], now: datetime) -> None:
    """The record's data and the indexed columns matching reads it by."""
    for k, v in _columns(rec, now).items():
        setattr(row, k, v)


def all_record_ids(catalogue: CatalogueAccess) -> list[str]:
    with catalogue.session() as s:
        return list(s.scalars(select(RegistryRecord.record_id).order_by(RegistryRecord.record_id)))
