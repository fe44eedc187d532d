"""The closed sets of names the stages and the catalogue share.

StrEnums: a member is its string, so the catalogue's columns, the report and
the logs hold exactly the words the contract names (contracts/README.md).
"""
from __future__ import annotations

from enum import StrEnum


class DocumentStatus(StrEnum):
    """A document's (or a person's) outcome in the report, most severe first
    after `rejected` (contract section 5: a document takes its most severe person's)."""

    REJECTED = "rejected"
    NEEDS_REVIEW = "needs_review"
    MISMATCH = "mismatch"
    UNMATCHED = "unmatched"
    MATCHED = "matched"
    PENDING = "pending"  # catalogued, not yet reconciled (never in a report)

    @property
    def severity(self) -> int:
        """Higher is worse; `most_severe` picks the maximum."""
        return _SEVERITY[self]


_SEVERITY = {DocumentStatus.PENDING: 0, DocumentStatus.MATCHED: 1, DocumentStatus.UNMATCHED: 2,
             DocumentStatus.MISMATCH: 3, DocumentStatus.NEEDS_REVIEW: 4, DocumentStatus.REJECTED: 5}


def most_severe(statuses: list[DocumentStatus]) -> DocumentStatus:
    return max(statuses, key=lambda s: s.severity) if statuses else DocumentStatus.NEEDS_REVIEW


class Stage(StrEnum):
    """Where a batch item is: the stages in order, then done."""

    QUEUED = "queued"
    OCR = "ocr"
    EXTRACT = "extract"
    SIGN = "sign"
    STORE = "store"
    RECONCILE = "reconcile"
    DONE = "done"


IN_PROGRESS = (Stage.QUEUED, Stage.OCR, Stage.EXTRACT, Stage.SIGN, Stage.STORE, Stage.RECONCILE)


class ReviewKind(StrEnum):
    """Why a review item was queued for a person."""

    DISCREPANCY = "discrepancy"
    LOW_CONFIDENCE = "low_confidence"
    MISSING = "missing"  # a field the document's kind requires, not read
    UNMATCHED = "unmatched"
    CONFLICT = "conflict"  # a later import or sync, or the source at a push, disagrees with a decision
    SPLIT = "split"  # a many-document scan's cut the boundary model was unsure of (pipeline/split.py)


class ReviewStatus(StrEnum):
    OPEN = "open"
    OBSOLETE = "obsolete"  # no longer applies after a re-run; reopened if it applies again
    RESOLVED = "resolved"


class VerificationState(StrEnum):
    """A document's (person's) state once people have looked at it, beside its report status:
    pending while any item is open, verified or corrected once every item is decided."""

    PENDING = "pending"
    VERIFIED = "verified"
    CORRECTED = "corrected"
