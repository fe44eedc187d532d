"""When a review item is due, from the law that governs its document's data.

- Execution-database data -- judgments, the decisions executing them (execute, postpone,
  suspend, reduce, shorten probation, exempt, parole) and completion certificates, the data
  seed 001 Art. 8.2 lists -- must be updated within 24 hours of arising or changing
  (seed 001 Art. 8.5(c)). 24 clock hours from receipt (Civil Code 2015 Art. 147(1): a period
  in hours runs from the moment fixed); when they end on a day off, the period ends at the
  close of the next working day (Civil Code 2015 Art. 148(5)).
- Judicial-record data only -- an expungement (xóa án tích), which the execution database
  does not hold -- is shared with the judicial-record database within one working day
  (seed 002 Art. 7.1): one working day of office time from receipt (never later than the Civil
  Code's reading, the end of the next working day).
- A document whose kind was not read gets the stricter of the two: 24 hours.

Pure: the working calendar (core/worktime.py) is handed in, or made from the settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from sohoa.core.config import Settings, load_settings
from sohoa.core.worktime import WorkCalendar, make_calendar


@dataclass(frozen=True)
class LegalBasis:
    code: str  # what the README, notifications and statistics cite
    text: str  # in Vietnamese, for the mail


EXECUTION_24H = LegalBasis("001 Art. 8.5(c)", "24 giờ (Nghị định về CSDL thi hành án hình sự, Điều 8 khoản 5 điểm c)")
JUDICIAL_RECORD_1WD = LegalBasis("002 Art. 7.1",
                                 "01 ngày làm việc (Nghị định 216/2026/NĐ-CP về lý lịch tư pháp, Điều 7 khoản 1)")
JUDICIAL_RECORD_ONLY = frozenset({"expunge"})  # decision kinds the execution database does not hold


def basis_for(doc_type: str | None, decision_kind: str | None) -> LegalBasis:
    if doc_type in ("decision", "certificate") and decision_kind in JUDICIAL_RECORD_ONLY:
        return JUDICIAL_RECORD_1WD
    return EXECUTION_24H


def due_at(received: datetime, basis: LegalBasis, calendar: WorkCalendar) -> datetime:
    """The moment an item received at `received` (aware) is overdue."""
    if basis is JUDICIAL_RECORD_1WD:
        return calendar.add_office_time(received, calendar.day_length)
    due = received + timedelta(hours=24)
    day = due.astimezone(calendar.tz).date()
    if calendar.is_working_day(day):
        return due
    return calendar.close_of(calendar.next_working_day(day)).astimezone(received.tzinfo)


def calendar_from(settings: Settings) -> WorkCalendar:
    path = settings.work_calendar_file
    stamp = Path(path).stat().st_mtime_ns if path and Path(path).exists() else 0
    return _calendar(settings.office_hours, settings.work_timezone, path, stamp)


@cache
def _calendar(office_hours: str, timezone: str, path: str, _stamp: int) -> WorkCalendar:
    return make_calendar(office_hours, timezone, path)  # made again when the override file changes


def review_due_at(received: datetime, doc_type: str | None, decision_kind: str | None,
                  calendar: WorkCalendar | None = None) -> datetime:
    """Where review items are made (reconciler.queue_items): the calendar is the deployment's
    (office hours, time zone and override file are settings, read from the environment/TOML)."""
    return due_at(received, basis_for(doc_type, decision_kind), calendar or calendar_from(load_settings()))
