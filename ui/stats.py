"""The unit's periodic figures (issue 16 item 5): documents received, auto-matched, sent to
review, items resolved within their deadline, overdue, corrections made and pushed back —
in total and per unit, verifier, document kind and ISO week.

One pass over the catalogue per table, grouped in Python: the figures a unit reports are
thousands of rows a month, and grouping here keeps the SQL portable (SQLite and PostgreSQL
bucket weeks differently). `sohoa stats` and the workbench's /ui/stats both read `compute`.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from sohoa.archive.models import AuditEvent, Batch, Document, RegistryOutbox, ReviewItem
from sohoa.ui.models import Correction
from sqlalchemy import select
from sqlalchemy.orm import Session

VN = timezone(timedelta(hours=7))  # the unit's days and weeks are Vietnamese ones
DIMENSIONS = ("unit", "verifier", "kind", "week")
# a verifier's own decision on an item (ui/workflow.py act); a correction's author is its verifier
_DECISIONS = ("ui.item.accept", "ui.item.keep", "ui.item.correct")
NO_VALUE = "—"


@dataclass
class Figures:
    """The counts of one group (a unit, a verifier, a kind, a week, or everything)."""

    received: int = 0  # documents archived
    auto_matched: int = 0  # matched, and no person was ever asked about them
    sent_to_review: int = 0  # documents with at least one review item
    items: int = 0  # review items raised
    resolved: int = 0
    resolved_on_time: int = 0  # resolved by their due time
    overdue: int = 0  # open past due, or resolved late
    open: int = 0
    corrections: int = 0  # approved corrections
    corrections_pushed: int = 0  # of those, pushed back to the source database

    @property
    def on_time_share(self) -> float | None:
        return round(self.resolved_on_time / self.resolved, 4) if self.resolved else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "on_time_share": self.on_time_share}


@dataclass
class Stats:
    start: date
    end: date
    unit: str | None
    total: Figures = field(default_factory=Figures)
    by: dict[str, dict[str, Figures]] = field(default_factory=lambda: {d: {} for d in DIMENSIONS})

    def group(self, dimension: str, key: str | None) -> Figures:
        return self.by[dimension].setdefault(key or NO_VALUE, Figures())

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "unit": self.unit,
                "total": self.total.as_dict(),
                "by": {d: {k: f.as_dict() for k, f in sorted(groups.items())} for d, groups in self.by.items()}}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        """One row per group: dimension, key, then every figure (the total first)."""
        cols = [*Figures.__dataclass_fields__, "on_time_share"]
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["dimension", "key", *cols])
        rows: list[tuple[str, str, Figures]] = [("total", "", self.total)]
        rows += [(d, k, f) for d in DIMENSIONS for k, f in sorted(self.by[d].items())]
        for d, k, f in rows:
            v = f.as_dict()
            w.writerow([d, _csv_safe(k), *("" if v[c] is None else v[c] for c in cols)])
        return out.getvalue()

    def weeks(self) -> list[tuple[str, Figures]]:
        return sorted(self.by["week"].items())


def _csv_safe(text: str) -> str:
    """A unit or account name opened in a spreadsheet must not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def week_of(at: datetime) -> str:
    y, w, _ = _aware(at).astimezone(VN).isocalendar()
    return f"{y}-W{w:02d}"


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Vietnamese time: --to names the last day counted. Given in UTC:
    SQLite compares the stored naive UTC times with a bound's wall clock, whatever its offset."""
    return (datetime.combine(start, time(), VN).astimezone(timezone.utc),
            datetime.combine(end + timedelta(days=1), time(), VN).astimezone(timezone.utc))


def compute(s: Session, start: date, end: date, unit: str | None = None,
            now: datetime | None = None) -> Stats:
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    now = now or datetime.now(timezone.utc)
    lo, hi = _bounds(start, end)
    stats = Stats(start, end, unit)

    docs = s.execute(select(Document.document_id, Document.doc_type, Document.status, Document.created_at,
                            Batch.unit).join(Batch, Batch.batch_id == Document.batch_id)
                     .where(Document.created_at >= lo, Document.created_at < hi,
                            Document.superseded_by.is_(None))).all()
    if unit is not None:
        docs = [d for d in docs if d.unit == unit]
    reviewed = {r for (r,) in s.execute(select(ReviewItem.document_id).distinct()
                                        .where(ReviewItem.document_id.in_([d.document_id for d in docs])))} \
        if docs else set()
    for d in docs:
        auto = d.status == "matched" and d.document_id not in reviewed
        for g in _groups(stats, unit=d.unit, kind=d.doc_type, week=week_of(d.created_at)):
            g.received += 1
            g.auto_matched += auto
            g.sent_to_review += d.document_id in reviewed

    items = s.execute(select(ReviewItem, Document.doc_type, Batch.unit)
                      .join(Document, Document.document_id == ReviewItem.document_id)
                      .join(Batch, Batch.batch_id == Document.batch_id)
                      .where(ReviewItem.created_at >= lo, ReviewItem.created_at < hi,
                             ReviewItem.status != "obsolete")).all()
    if unit is not None:
        items = [r for r in items if r.unit == unit]
    deciders = _deciders(s, [r.ReviewItem.id for r in items])
    for item, kind, item_unit in items:
        resolved_at = item.resolved_at if item.status == "resolved" else None
        resolved = resolved_at is not None
        on_time = resolved_at is not None and _aware(resolved_at) <= _aware(item.due_at)
        late = (resolved and not on_time) or (item.status == "open" and _aware(item.due_at) < now)
        for g in _groups(stats, unit=item_unit, kind=kind, week=week_of(item.created_at),
                         verifier=deciders.get(item.id)):
            g.items += 1
            g.resolved += resolved
            g.resolved_on_time += on_time
            g.overdue += late
            g.open += item.status == "open"

    corrections = s.execute(select(Correction, Document.doc_type, Batch.unit)
                            .outerjoin(Document, Document.document_id == Correction.document_id)
                            .outerjoin(Batch, Batch.batch_id == Document.batch_id)
                            .where(Correction.status == "approved", Correction.decided_at >= lo,
                                   Correction.decided_at < hi)).all()
    if unit is not None:
        corrections = [r for r in corrections if r.unit == unit]
    pushed = _pushed_ids(s, [r.Correction.id for r in corrections])
    for c, kind, c_unit in corrections:
        assert c.decided_at is not None  # an approved correction has its decision time (the query asks for it)
        for g in _groups(stats, unit=c_unit, kind=kind, week=week_of(c.decided_at), verifier=c.author):
            g.corrections += 1
            g.corrections_pushed += c.id in pushed
    return stats


def _groups(stats: Stats, *, unit: str | None, kind: str | None, week: str,
            verifier: str | None = None) -> Iterable[Figures]:
    yield stats.total
    yield stats.group("unit", unit)
    yield stats.group("kind", kind)
    yield stats.group("week", week)
    if verifier is not None:
        yield stats.group("verifier", verifier)


def _deciders(s: Session, item_ids: list[int]) -> dict[int, str]:
    """Who decided each item: the latest verifier decision on it in the audit log, else the
    author of the correction it led to."""
    if not item_ids:
        return {}
    wanted = {f"review_item:{i}": i for i in item_ids}
    out: dict[int, str] = {}
    for obj, actor in s.execute(select(AuditEvent.object, AuditEvent.actor)
                                .where(AuditEvent.action.in_(_DECISIONS), AuditEvent.object.in_(list(wanted)))
                                .order_by(AuditEvent.id)):
        out[wanted[obj]] = actor.removeprefix("ui:")
    for item_id, author in s.execute(select(Correction.review_item_id, Correction.author)
                                     .where(Correction.review_item_id.in_(item_ids))):
        if item_id is not None:
            out.setdefault(item_id, author)
    return out


def _pushed_ids(s: Session, correction_ids: list[int]) -> set[int]:
    """Which of these corrections the registry sync's outbox delivered to their source database
    (reconciler/sync/outbox.py: key `correction:<id>`, status `done`)."""
    if not correction_ids:
        return set()
    keys = {f"correction:{i}": i for i in correction_ids}
    done = s.scalars(select(RegistryOutbox.idempotency_key).where(RegistryOutbox.status == "done",
                                                                  RegistryOutbox.idempotency_key.in_(list(keys))))
    return {keys[k] for k in done}


# -- the workbench's chart -----------------------------------------------------------------

def week_chart_svg(stats: Stats, width: int = 720, height: int = 220) -> str:
    """Grouped bars per week: received, auto-matched, sent to review, overdue. Inline SVG:
    no script, no external asset (the workbench's CSP forbids both)."""
    weeks = stats.weeks()
    series = (("received", "#4a6fa5", "nhận"), ("auto_matched", "#3c8d5a", "tự khớp"),
              ("sent_to_review", "#c98a1b", "cần xem xét"), ("overdue", "#b33a3a", "quá hạn"))
    if not weeks:
        return '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="no data" width="0" height="0"></svg>'
    top = max(max(getattr(f, k) for k, _, _ in series) for _, f in weeks) or 1
    left, bottom, legend = 36, 28, 18
    plot_h = height - bottom - legend
    slot = (width - left) / len(weeks)
    bar = max(2.0, slot / (len(series) + 1))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="stats-chart" role="img" width="{width}" '
             f'height="{height}" aria-label="Số liệu theo tuần — figures per week">',
             f'<line x1="{left}" y1="{legend + plot_h}" x2="{width}" y2="{legend + plot_h}" stroke="#888"/>',
             f'<text x="2" y="{legend + 10}" font-size="10">{top}</text>']
    for i, (name, color, label) in enumerate(series):
        parts.append(f'<rect x="{left + i * 110}" y="2" width="10" height="10" fill="{color}"/>'
                     f'<text x="{left + i * 110 + 14}" y="11" font-size="11">{label}</text>')
    for w, (week, f) in enumerate(weeks):
        x0 = left + w * slot + bar / 2
        for i, (name, color, _) in enumerate(series):
            v = getattr(f, name)
            h = plot_h * v / top
            parts.append(f'<rect class="bar" data-week="{week}" data-series="{name}" data-value="{v}" '
                         f'x="{x0 + i * bar:.1f}" y="{legend + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                         f'height="{h:.1f}" fill="{color}"><title>{week} {name}: {v}</title></rect>')
        parts.append(f'<text x="{x0:.1f}" y="{height - 8}" font-size="10">{week}</text>')
    parts.append("</svg>")
    return "".join(parts)
