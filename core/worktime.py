"""Working time in Vietnam: which days are worked, the office hours of a day, and
arithmetic on them (pure: no database, no clock).

Days off come from the maintained `holidays` package (holidays.Vietnam: the Labour
Code 2019 Art. 112 holidays, Tết and Hùng Kings' day on the lunar calendar, the
observed days, and the government's yearly swaps it knows: a day off moved next to
a holiday and the Saturday worked for it). The package lags the government's yearly
notices (a year's Tết days and swaps are announced months ahead, the package catches
up later), so an override file adds days off and working days (Settings.work_calendar_file).

Office hours default to the civil-service day: 8 hours (Labour Code 2019 Art. 105),
Monday to Friday (the 40-hour week of Decision 188/1999/QĐ-TTg), 08:00-12:00 and
13:00-17:00 Vietnam time.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sohoa.core.errors import ConfigError

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_OFFICE_HOURS = "08:00-12:00,13:00-17:00"
# how far a search for the next working day may go: Tết plus weekends is ~9 days
_MAX_DAYS_OFF_IN_A_ROW = 60

Period = tuple[time, time]


class CalendarError(ConfigError):
    """The office hours or the override file cannot be used (says which)."""


@cache
def _vietnam() -> Any:
    import holidays  # on first use: importing it costs a quarter of a second every command would pay

    return holidays.country_holidays("VN")  # years are filled in on first look-up of each


def parse_office_hours(text: str) -> tuple[Period, ...]:
    """'08:00-12:00,13:00-17:00' -> ordered, non-overlapping periods of one day."""
    periods: list[Period] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            a, b = (time.fromisoformat(x.strip()) for x in part.split("-"))
        except ValueError:
            raise CalendarError(f"office_hours: {part!r} is not HH:MM-HH:MM") from None
        if not a < b or (periods and a < periods[-1][1]):
            raise CalendarError(f"office_hours: {part!r} is empty or overlaps the period before it")
        periods.append((a, b))
    if not periods:
        raise CalendarError(f"office_hours: {text!r} names no period")
    return tuple(periods)


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CalendarError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def read_override_file(path: Path) -> tuple[frozenset[date], frozenset[date]]:
    """The days off and working days an override file adds: TOML
    `days_off = [2027-02-03, ...]` and `working_days = [2027-02-20, ...]`."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CalendarError(f"work calendar file {path}: {exc}") from None
    unknown = set(data) - {"days_off", "working_days"}
    if unknown:
        raise CalendarError(f"work calendar file {path}: unknown key(s) {', '.join(sorted(unknown))}")
    off = frozenset(_as_date(v, f"{path}: days_off") for v in data.get("days_off", []))
    work = frozenset(_as_date(v, f"{path}: working_days") for v in data.get("working_days", []))
    if off & work:
        raise CalendarError(f"work calendar file {path}: {min(off & work)} is both a day off and a working day")
    return off, work


@dataclass(frozen=True)
class WorkCalendar:
    office: tuple[Period, ...] = field(default_factory=lambda: parse_office_hours(DEFAULT_OFFICE_HOURS))
    tz: ZoneInfo = VN_TZ
    days_off: frozenset[date] = frozenset()  # the override file's, beside the package's
    working_days: frozenset[date] = frozenset()  # e.g. a Saturday worked for a swapped day off

    @property
    def day_length(self) -> timedelta:
        """The office time of one working day."""
        return sum((_span(a, b) for a, b in self.office), timedelta())

    def is_working_day(self, d: date) -> bool:
        if d in self.working_days:
            return True
        if d in self.days_off:
            return False
        return bool(_vietnam().is_working_day(d))  # weekends, holidays, the swaps it knows

    def periods(self, d: date) -> list[tuple[datetime, datetime]]:
        """The office periods of day `d` (none on a day off), as aware datetimes."""
        if not self.is_working_day(d):
            return []
        return [(datetime.combine(d, a, self.tz), datetime.combine(d, b, self.tz)) for a, b in self.office]

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the first one after it."""
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise CalendarError(f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days from {d}: check the override file")

    def close_of(self, d: date) -> datetime:
        """The end of the last office period of working day `d`."""
        return datetime.combine(d, self.office[-1][1], self.tz)

    def add_office_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment when `amount` of office time has passed since `start` (aware). Time
        outside office periods does not count; the result is always inside or at the end
        of an office period."""
        if start.tzinfo is None:
            raise ValueError("add_office_time needs an aware datetime")
        left = amount
        local = start.astimezone(self.tz)
        day = local.date()
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW + 400):
            for a, b in self.periods(day):
                begin = max(a, local)
                if begin >= b:
                    continue
                if begin + left <= b:
                    return (begin + left).astimezone(start.tzinfo)
                left -= b - begin
            day += timedelta(days=1)
        raise CalendarError(f"office time {amount} from {start} does not fit in a year: check the calendar")

    def office_time_between(self, start: datetime, end: datetime) -> timedelta:
        """How much office time lies between two aware moments (0 when end <= start)."""
        total = timedelta()
        a_local, b_local = start.astimezone(self.tz), end.astimezone(self.tz)
        day = a_local.date()
        while day <= b_local.date():
            for a, b in self.periods(day):
                lo, hi = max(a, a_local), min(b, b_local)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total


def _span(a: time, b: time) -> timedelta:
    return datetime.combine(date.min, b) - datetime.combine(date.min, a)


def make_calendar(office_hours: str = DEFAULT_OFFICE_HOURS, timezone: str = "Asia/Ho_Chi_Minh",
                  override_file: str = "") -> WorkCalendar:
    """A calendar from the settings' three values (office_hours, work_timezone, work_calendar_file)."""
    try:
        tz = ZoneInfo(timezone)
    except (KeyError, ValueError):
        raise CalendarError(f"work_timezone: unknown time zone {timezone!r}") from None
    off: frozenset[date] = frozenset()
    work: frozenset[date] = frozenset()
    if override_file:
        off, work = read_override_file(Path(override_file))
    return WorkCalendar(parse_office_hours(office_hours), tz, off, work)
