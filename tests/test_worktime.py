"""Due times in working time (core/worktime.py, reconciler/deadlines.py) against the
Vietnamese calendar: Tết 2027, 30/4-1/5, 2/9, a weekend, the end of office hours, and
the override file for swaps the holidays package does not know."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sohoa.core.worktime import VN_TZ, CalendarError, WorkCalendar, make_calendar, parse_office_hours
from sohoa.reconciler.deadlines import EXECUTION_24H, JUDICIAL_RECORD_1WD, basis_for, due_at, review_due_at

CAL = WorkCalendar()


def vn(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def test_the_package_knows_tet_2027_and_the_holidays_of_the_labour_code():
    # Tết Đinh Mùi: 29 Tết (Thu 4/2/2027) to mùng 5 (Wed 10/2), the Saturday/Sunday ones observed
    assert [d.day for d in (date(2027, 2, i) for i in range(3, 13)) if not CAL.is_working_day(d)] == \
        [4, 5, 6, 7, 8, 9, 10]
    assert CAL.is_working_day(date(2027, 2, 3)) and CAL.is_working_day(date(2027, 2, 11))
    # 30/4 (Fri) and 1/5 (Sat, observed Mon 3/5); 2/9 (Thu) with 3/9 (Fri)
    assert not any(CAL.is_working_day(d) for d in (date(2027, 4, 30), date(2027, 5, 3), date(2027, 9, 2),
                                                   date(2027, 9, 3)))
    # a swap the package knows: Sat 26/4/2025 worked for Fri 2/5/2025 off
    assert CAL.is_working_day(date(2025, 4, 26)) and not CAL.is_working_day(date(2025, 5, 2))


@pytest.mark.parametrize("received,due", [
    # an ordinary Tuesday: 24 clock hours
    (vn(2027, 3, 2, 10), vn(2027, 3, 3, 10)),
    # after office hours on a working day: still 24 clock hours (the law counts hours)
    (vn(2027, 3, 2, 20), vn(2027, 3, 3, 20)),
    # Friday -> Saturday: a day off, the close of the next working day (Civil Code Art. 148(5))
    (vn(2027, 3, 5, 10), vn(2027, 3, 8, 17)),
    # the eve of Tết 2027: 24 h end on 29 Tết, the next working day is Thu 11/2
    (vn(2027, 2, 3, 10), vn(2027, 2, 11, 17)),
    # Thursday 29/4: 24 h end on 30/4, then 1/5 and its observed Monday 3/5: Tuesday 4/5
    (vn(2027, 4, 29, 15), vn(2027, 5, 4, 17)),
    # Wednesday 1/9: 24 h end on 2/9, 3/9 is off, the weekend: Monday 6/9
    (vn(2027, 9, 1, 9), vn(2027, 9, 6, 17)),
])
def test_24_hours_for_execution_data(received, due):
    assert due_at(received, EXECUTION_24H, CAL) == due


@pytest.mark.parametrize("received,due", [
    # one working day = 8 office hours: the same time the next working day
    (vn(2027, 3, 2, 10), vn(2027, 3, 3, 10)),
    # received at 16:30: half an hour today, the rest tomorrow (lunch 12-13 skipped): Wed 16:30
    (vn(2027, 3, 2, 16, 30), vn(2027, 3, 3, 16, 30)),
    # end of office hours: received at 17:30, the day starts tomorrow at 08:00 and ends at 17:00
    (vn(2027, 3, 2, 17, 30), vn(2027, 3, 3, 17)),
    # received in the lunch break: counts from 13:00, ends as the next morning's office closes
    (vn(2027, 3, 2, 12, 15), vn(2027, 3, 3, 12)),
    # Friday -> Monday (the weekend does not count)
    (vn(2027, 3, 5, 10), vn(2027, 3, 8, 10)),
    # Tết: Wed 3/2 16:00, one hour that day, seven on Thu 11/2
    (vn(2027, 2, 3, 16), vn(2027, 2, 11, 16)),
    # 30/4-1/5: Thursday 29/4 15:00 -> Tuesday 4/5 15:00
    (vn(2027, 4, 29, 15), vn(2027, 5, 4, 15)),
    # 2/9: received on the holiday itself -> a whole working day from Mon 6/9 08:00
    (vn(2027, 9, 2, 9), vn(2027, 9, 6, 17)),
])
def test_one_working_day_for_judicial_record_data(received, due):
    assert due_at(received, JUDICIAL_RECORD_1WD, CAL) == due
    # never later than the Civil Code's reading: the end of the next working day
    assert due <= CAL.close_of(CAL.next_working_day(received.date() + timedelta(days=1)))


def test_document_kind_chooses_the_law():
    assert basis_for("judgment", None) is EXECUTION_24H
    assert basis_for("decision", "parole") is EXECUTION_24H
    assert basis_for("certificate", "completion") is EXECUTION_24H
    assert basis_for("certificate", "expunge") is JUDICIAL_RECORD_1WD
    assert basis_for("decision", "expunge") is JUDICIAL_RECORD_1WD
    assert basis_for(None, None) is EXECUTION_24H  # kind not read: the stricter
    utc = vn(2027, 3, 5, 10).astimezone(tz=None)
    assert review_due_at(utc, "certificate", "expunge", CAL) == vn(2027, 3, 8, 10)


def test_override_file_adds_swapped_days(tmp_path):
    f = tmp_path / "calendar.toml"
    # a year the package does not know yet: Tue 2/3/2027 given off, Saturday 6/3 worked for it
    f.write_text("days_off = [2027-03-02]\nworking_days = [\"2027-03-06\"]\n", "utf-8")
    cal = make_calendar(override_file=str(f))
    assert not cal.is_working_day(date(2027, 3, 2)) and cal.is_working_day(date(2027, 3, 6))
    assert due_at(vn(2027, 3, 1, 10), EXECUTION_24H, cal) == vn(2027, 3, 3, 17)
    assert due_at(vn(2027, 3, 5, 10), JUDICIAL_RECORD_1WD, cal) == vn(2027, 3, 6, 10)
    assert cal.office_time_between(vn(2027, 3, 5, 16), vn(2027, 3, 8, 9)) == timedelta(hours=10)
    f.write_text("days_off = [2027-03-02]\nworking_days = [2027-03-02]\n", "utf-8")
    with pytest.raises(CalendarError, match="both a day off and a working day"):
        make_calendar(override_file=str(f))
    f.write_text("holidays = []\n", "utf-8")
    with pytest.raises(CalendarError, match="unknown key"):
        make_calendar(override_file=str(f))


def test_office_hours_are_configurable_and_checked():
    cal = WorkCalendar(parse_office_hours("07:30-11:30,13:00-16:30"))
    assert cal.day_length == timedelta(hours=7, minutes=30)
    assert due_at(vn(2027, 3, 2, 16), JUDICIAL_RECORD_1WD, cal) == vn(2027, 3, 3, 16)
    for bad in ("8-12", "12:00-08:00", "08:00-12:00,11:00-17:00", ""):
        with pytest.raises(CalendarError):
            parse_office_hours(bad)
