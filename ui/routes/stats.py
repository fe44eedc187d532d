"""The unit's figures for its periodic report (ui/stats.py), with a chart per week."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sohoa.archive.models import Batch
from sohoa.ui import stats
from sohoa.ui.web import Viewer, WorkbenchDep
from sqlalchemy import select

router = APIRouter()


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default  # a malformed date in the address bar: the default period, not a 500


@router.get("/ui/stats", response_class=HTMLResponse)
def stats_page(wb: WorkbenchDep, user: Viewer, start: str | None = None, end: str | None = None,
               unit: str | None = None) -> HTMLResponse:
    today = datetime.now(stats.VN).date()
    to = _day(end, today)
    frm = _day(start, to - timedelta(days=27))
    if frm > to:
        frm, to = to, frm
    with wb.session() as s:
        figures = stats.compute(s, frm, to, unit or None)
        units = sorted({u for (u,) in s.execute(select(Batch.unit).distinct()) if u})
    return wb.page("stats.html", user, stats=figures, units=units, unit=unit or "",
                   chart=Markup(stats.week_chart_svg(figures)), dimensions=stats.DIMENSIONS)


@router.get("/ui/stats.csv")
def stats_csv(wb: WorkbenchDep, user: Viewer, start: str | None = None, end: str | None = None,
              unit: str | None = None) -> Response:
    today = datetime.now(stats.VN).date()
    to = _day(end, today)
    frm = min(_day(start, to - timedelta(days=27)), to)
    with wb.session() as s:
        body = stats.compute(s, frm, to, unit or None).to_csv()
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="sohoa-stats-{frm}-{to}.csv"'})
