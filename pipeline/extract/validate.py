"""Validity and cross-field checks (001 Art. 8.5): real, ordered dates; 12-digit IDs;
number year vs issue date; plausible penalty ranges. Each check scales confidences."""
from __future__ import annotations

import datetime as dt
import re

from . import evidence as ev
from .confidence import Candidate
from .dates import valid_iso
from .person import id_structure_ok

MONTH_RANGES = {  # Penal Code 2015 Arts. 36, 38, 55, 65
    "imprisonment": (1, 360),
    "suspended_imprisonment": (1, 36),
    "non_custodial_reform": (6, 36),
}


def _date(s: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(s)
    except (ValueError, TypeError):
        return None


def cross_check(f: dict[str, Candidate], doc_type: str | None) -> list[str]:
    """The document's checks, and its first person's (person_checks)."""
    w: list[str] = []
    num, issue = f.get("document_number"), f.get("issue_date")
    for k in ("issue_date", "effective_date"):
        if k in f and not valid_iso(str(f[k].value)):
            f[k].adjust(ev.DATE_NOT_REAL)
            w.append(f"{k} {f[k].value!r} is not a real date")
    if num and issue:
        m = re.match(r"^\d+/(\d{4})/", num.value)
        if m:
            # agreement says the two years are one: nothing of the day, the month or the
            # number's own digits (a month misread 3 for 4 was lifted past the threshold by it)
            if int(m.group(1)) != int(issue.value[:4]):
                num.adjust(ev.NUMBER_YEAR_DISAGREES)
                issue.adjust(ev.NUMBER_YEAR_DISAGREES)
                w.append(f"year in number {num.value} disagrees with issue date {issue.value}")
    w += person_checks(f, issue)
    eff = f.get("effective_date")
    if eff and issue and doc_type in ("decision", "certificate"):
        e, i = _date(eff.value), _date(issue.value)
        if e and i and (e - i).days > 3 * 365:
            eff.adjust(ev.EFFECTIVE_FAR_AFTER)
            w.append("effective date far after issue date")
        if e and i and (i - e).days > 20 * 365:
            eff.adjust(ev.EFFECTIVE_FAR_BEFORE)
            w.append("effective date far before issue date")
    ref = f.get("judgment_ref")
    if ref and issue:
        m = re.match(r"^\d+/(\d{4})/", ref.value)
        if m and int(m.group(1)) > int(issue.value[:4]):
            ref.adjust(ev.REF_LATER_THAN_ISSUE)
            w.append("referenced judgment is later than the decision")
    dur = f.get("duration_months")
    if dur and not 1 <= dur.value <= 240:
        dur.adjust(ev.DURATION_OUT_OF_RANGE)
    return w


def person_checks(f: dict[str, Candidate], issue: Candidate | None) -> list[str]:
    """One person's checks: real birth date, plausible for the document's date, a
    12-digit ID whose structure agrees with it, penalties in their legal ranges
    (every person of a document, contract section 5)."""
    w: list[str] = []
    birth = f.get("birth_date")
    if birth and not valid_iso(str(birth.value)):
        birth.adjust(ev.DATE_NOT_REAL)
        w.append(f"birth_date {birth.value!r} is not a real date")
    if birth and str(birth.value)[:4].isdigit():
        by = int(str(birth.value)[:4])
        # without the issue date, today bounds it: a person of a criminal record is at least 12
        iy = int(issue.value[:4]) if issue else dt.date.today().year
        if not (by < iy and 12 <= iy - by <= 100):
            birth.adjust(ev.BIRTH_IMPLAUSIBLE)
            w.append(f"birth date {birth.value} implausible for "
                     + (f"issue date {issue.value}" if issue else f"a record of {iy}"))
    pid = f.get("personal_id")
    if pid:
        if not re.fullmatch(r"\d{12}", pid.value):
            pid.adjust(ev.ID_NOT_12_DIGITS)
            w.append("personal_id is not 12 digits")
        else:
            ok = id_structure_ok(pid.value, str(birth.value) if birth else None)
            if ok is True:
                pid.adjust(ev.ID_STRUCTURE_AGREES)
                if birth:
                    birth.adjust(ev.BIRTH_AGREES_WITH_ID)
            elif ok is False:
                # the ID's birth year (or province code) and the birth date disagree: one of them is misread,
                # or the ID is someone else's
                pid.adjust(ev.ID_STRUCTURE_DISAGREES)
                if birth:
                    birth.adjust(ev.BIRTH_DISAGREES_WITH_ID)
                w.append("personal_id structure (province code / birth year) does not agree")
    pen, months = f.get("principal_penalty"), f.get("penalty_months")
    if pen and months and pen.value in MONTH_RANGES:
        lo, hi = MONTH_RANGES[pen.value]
        if not lo <= months.value <= hi:
            months.adjust(ev.PENALTY_OUT_OF_RANGE)
            w.append(f"penalty_months {months.value} outside the legal range for {pen.value}")
    prob = f.get("probation_months")
    if prob and not 12 <= prob.value <= 60:
        prob.adjust(ev.PROBATION_OUT_OF_RANGE)
        w.append("probation outside 1-5 years")
    fine = f.get("fine_vnd")
    if fine and not 1_000_000 <= fine.value <= 1_000_000_000_000:
        fine.adjust(ev.FINE_OUT_OF_RANGE)
        w.append("fine outside the legal range")
    return w
