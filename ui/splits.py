"""A many-document scan's cuts, for a verifier: the page strip of the source with the
documents it was cut into, confirming the cuts or moving them.

The workbench holds no signing key, so it does not cut: a confirmation resolves the
split review items (the parts stand as they are); a moved cut resolves them with the new
page ranges (`{"ranges": [[first, last], ...]}` in the items' resolution, audited), and the
pipeline applies them the next time the source is processed (pipeline/split.py:
verifier_ranges): documents for the new ranges are signed, stored and catalogued like any
other, and the earlier parts are kept, pointing at what superseded them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import Document, ReviewItem, SourceFileRow
from sohoa.core.enums import DocumentStatus, ReviewKind, ReviewStatus, most_severe
from sqlalchemy import select
from sqlalchemy.orm import Session

MAX_PAGES = 2000  # a strip longer than this is no dossier a person reviews page by page


class SplitError(ValueError):
    """A verifier's cut that cannot be: the page says which."""


@dataclass
class StripPage:
    number: int  # of the source, 1-based
    document_id: str | None  # the part holding it (None: a blank sheet, in no document)
    part_page: int | None  # its number in that part's signed PDF
    starts: bool  # a document begins here


@dataclass
class Strip:
    source: str
    batch_id: str
    parts: list[Document]
    pages: list[StripPage]
    open_items: list[ReviewItem]

    @property
    def ranges(self) -> list[tuple[int, int]]:
        return [(d.page_first or 0, d.page_last or 0) for d in self.parts]


def current_parts(s: Session, document_id: str) -> list[Document]:
    """The documents (not superseded) cut from the same source as `document_id`, in page order."""
    doc = s.get(Document, document_id)
    if doc is None or doc.page_first is None or doc.split_confidence is None or not doc.files:
        return []
    sha = doc.files[0].sha256
    rows = s.scalars(select(Document).join(SourceFileRow, SourceFileRow.document_id == Document.document_id)
                     .where(SourceFileRow.sha256 == sha, Document.source == doc.source,
                            Document.page_first.is_not(None), Document.split_confidence.is_not(None),
                            Document.superseded_by.is_(None))
                     .order_by(Document.page_first))
    return list(rows)


def strip(s: Session, document_id: str) -> Strip | None:
    parts = current_parts(s, document_id)
    if not parts:
        return None
    last = min(MAX_PAGES, max(d.page_last or 0 for d in parts))
    pages = []
    for n in range(1, last + 1):
        part = next((d for d in parts if (d.page_first or 0) <= n <= (d.page_last or 0)), None)
        pages.append(StripPage(n, part.document_id if part else None,
                               n - (part.page_first or 0) + 1 if part else None,
                               part is not None and part.page_first == n))
    items = list(s.scalars(select(ReviewItem).where(ReviewItem.document_id.in_([d.document_id for d in parts]),
                                                    ReviewItem.kind == ReviewKind.SPLIT,
                                                    ReviewItem.status == ReviewStatus.OPEN)
                           .order_by(ReviewItem.id)))
    return Strip(parts[0].source, parts[0].batch_id, parts, pages, items)


def ranges_from_starts(st: Strip, starts: list[int]) -> list[tuple[int, int]]:
    """The documents that begin on `starts` (pages of the source): each runs to the page
    before the next start, blank sheets (in no current part) left out at its end."""
    inked = [p.number for p in st.pages if p.document_id is not None]
    if not starts:
        raise SplitError("Cần ít nhất một văn bản — at least one document must begin somewhere")
    starts = sorted(set(starts))
    for n in starts:
        if n not in inked:
            raise SplitError(f"Trang {n} không phải trang có nội dung — page {n} is no page of a document")
    if starts[0] != inked[0]:
        starts = [inked[0], *starts]  # the first page always begins a document
    out = []
    for i, a in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else inked[-1]
        b = max(n for n in inked if a <= n <= end)
        out.append((a, b))
    return out


def decide(s: Session, actor: str, document_id: str, starts: list[int], comment: str | None = None) -> str:
    """A verifier's decision on a source's cuts: the same cuts confirm them, others move them."""
    st = strip(s, document_id)
    if st is None:
        raise SplitError("Văn bản này không được tách từ một bản quét — this document was not cut from a scan")
    ranges = ranges_from_starts(st, starts)
    now = utcnow()
    items = list(s.scalars(select(ReviewItem).where(ReviewItem.document_id.in_([d.document_id for d in st.parts]),
                                                    ReviewItem.kind == ReviewKind.SPLIT)))
    if ranges == st.ranges:
        for it in items:
            if it.status == ReviewStatus.OPEN:
                it.status, it.resolved_at, it.resolution = ReviewStatus.RESOLVED, now, "cuts confirmed"
        for d in st.parts:
            if d.status == DocumentStatus.NEEDS_REVIEW and d.persons:
                d.status = most_severe([DocumentStatus(p.status) for p in d.persons])
            d.updated_at = now
        audit(s, actor, "split.confirm", st.parts[0].document_id, source=st.source, batch=st.batch_id,
              ranges=[list(r) for r in ranges], comment=(comment or "")[:500] or None)
        return "Đã xác nhận các điểm cắt — cuts confirmed"
    resolution = json.dumps({"ranges": [list(r) for r in ranges]})
    if not items:  # cuts the model was sure of, moved all the same: the decision needs an item to live in
        first = st.parts[0]
        items = [ReviewItem(document_id=first.document_id, person=0, kind=ReviewKind.SPLIT, field="pages",
                            document_value=[first.page_first, first.page_last], confidence=first.split_confidence,
                            status=ReviewStatus.OPEN, created_at=now, due_at=now)]
        s.add(items[0])
    for it in items:
        it.status, it.resolved_at, it.resolution = ReviewStatus.RESOLVED, now, resolution
    audit(s, actor, "split.recut", st.parts[0].document_id, source=st.source, batch=st.batch_id,
          before=[list(r) for r in st.ranges], after=[list(r) for r in ranges],
          comment=(comment or "")[:500] or None)
    return ("Đã lưu điểm cắt mới; áp dụng khi lô được xử lý lại — new cuts saved, applied when the batch "
            "is processed again")


def starts_from_form(values: list[str]) -> list[int]:
    out = []
    for v in values[:MAX_PAGES]:
        if not v.strip().isdigit() or len(v.strip()) > 6:
            raise SplitError(f"Số trang không hợp lệ — not a page number: {v[:20]!r}")
        out.append(int(v))
    return out


def view(st: Strip) -> dict[str, Any]:
    return {"strip": st, "cuts": [p.number for p in st.pages if p.starts]}


CSS = """
.strip{display:flex;flex-wrap:wrap;gap:6px;align-items:flex-start}
.strip figure{margin:0;padding:4px;border:1px solid #ccc;text-align:center;width:112px}
.strip figure.starts{border-left:5px solid #c0392b}
.strip figure.blank{background:#f4f4f4;color:#777}
.strip img{width:100px;height:auto;display:block;margin:0 auto}
.strip .blank-sheet{width:100px;height:141px;display:flex;align-items:center;justify-content:center;margin:0 auto}
.strip figcaption{font-size:12px}
"""

SPLIT_PAGE = """{% extends "base.html" %}{% block title %}Tách {{ strip.source }}{% endblock %}{% block body %}
<link rel="stylesheet" href="/ui/static/split.css">
<h1 id="split-head" data-source="{{ strip.source }}" data-parts="{{ strip.parts|length }}">Tách bản quét <span id="split-source">{{ strip.source }}</span>
 <small>{{ strip.parts|length }} văn bản <span class="en">documents</span> · lô <span class="en">batch</span> {{ strip.batch_id }} · {{ strip.open_items|length }} mục mở <span class="en">open split items</span></small></h1>
<p><small>Viền đỏ: một văn bản bắt đầu ở trang này. Đánh dấu trang nơi mỗi văn bản bắt đầu rồi lưu: giữ nguyên là xác nhận, thay đổi là dời điểm cắt (áp dụng khi lô được xử lý lại).
 — A red edge: a document begins on this page. Tick the pages where documents begin and save: unchanged confirms the cuts, changed moves them (applied when the batch is processed again).</small></p>
<table id="split-parts"><thead><tr><th>#</th><th>Trang <small>pages</small></th><th>Loại</th><th>Độ tin cậy điểm cắt <small>cut confidence</small></th><th>Trạng thái</th></tr></thead><tbody>
{% for d in strip.parts %}<tr data-document="{{ d.document_id }}"><td>{{ loop.index }}</td><td class="range">{{ d.page_first }}–{{ d.page_last }}</td><td><a href="/ui/documents/{{ d.document_id }}">{{ d.doc_type or '?' }}</a></td><td>{{ '%.3f' % d.split_confidence }}</td><td>{{ d.status }}</td></tr>{% endfor %}
</tbody></table>
<form method="post" action="/ui/splits/{{ strip.parts[0].document_id }}" id="split-form"><input type="hidden" name="csrf" value="{{ user.csrf }}">
<div class="strip" id="strip">
{% for p in strip.pages %}<figure class="{% if p.starts %}starts{% endif %}{% if not p.document_id %} blank{% endif %}" data-page="{{ p.number }}">
 {% if p.document_id %}<img src="/ui/documents/{{ p.document_id }}/pages/{{ p.part_page }}.png" alt="trang {{ p.number }}" loading="lazy">{% else %}<div class="blank-sheet">trang trắng<br><small>blank sheet</small></div>{% endif %}
 <figcaption>{{ p.number }}{% if p.document_id and user.can('verify') %} <label><input type="checkbox" name="start" value="{{ p.number }}" {% if p.starts %}checked{% endif %}> bắt đầu <small>begins</small></label>{% endif %}</figcaption></figure>
{% endfor %}</div>
{% if user.can('verify') %}<p><label>Ghi chú <small>comment</small> <input name="comment" maxlength="500"></label>
<button class="primary" id="btn-save-cuts">Lưu điểm cắt <small class="on-primary">save the cuts</small></button></p>{% endif %}
</form>
{% endblock %}
"""

SPLIT_TEMPLATES = {"split.html": SPLIT_PAGE}
