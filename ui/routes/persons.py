"""A person's timeline: every archived document about them (found by personal ID or
passport number, on any document where they are one of its persons), oldest first,
with what does not add up highlighted (reconciler.timeline)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sohoa.archive.catalogue import audit
from sohoa.reconciler.timeline import person_timeline
from sohoa.ui.web import Viewer, WorkbenchDep

router = APIRouter()

FLAG_LABELS = {
    "expungement_before_completion": "Xóa án tích trước khi có giấy chứng nhận chấp hành xong",
    "completion_without_judgment": "Chứng nhận chấp hành xong một bản án không có trong kho lưu trữ",
    "penalty_differs": "Quyết định thi hành án ghi mức hình phạt khác bản án",
}


@router.get("/ui/persons/{key}", response_class=HTMLResponse)
def person(wb: WorkbenchDep, user: Viewer, key: str) -> HTMLResponse:
    key = key.strip()[:64]
    with wb.session() as s:
        timeline = person_timeline(s, key) if key else None
        if timeline is not None:
            audit(s, f"ui:{user.username}", "ui.person.view", f"person:{timeline.key}",
                  documents=len(timeline.entries))
    flagged = {f["document_id"] for f in timeline.flags} if timeline else set()
    return wb.page("person.html", user, status=200 if timeline else 404, key=key, timeline=timeline,
                   flagged=flagged, flag_labels=FLAG_LABELS)
