"""The workbench's view of verified truth: on a document's page, each person's current values
with their provenance (the value read and its confidence, the registry's, the decision, who
decided and approved, when, why) and the document's signed verification records."""
from __future__ import annotations

from typing import Any

from sohoa.archive.models import Document, VerificationRecord
from sohoa.archive.verified import current_values, provenance, record_summary
from sqlalchemy import select
from sqlalchemy.orm import Session

DECISION_LABELS = {"as_read": "theo bản giấy — as read", "registry": "theo CSDL — the registry's",
                   "corrected": "đã sửa — corrected", "agreed": "khớp — read and registry agree"}


def current_view(s: Session, doc: Document) -> dict[str, Any] | None:
    """What the template shows; None before any decision."""
    if not doc.verification_state:
        return None
    values = current_values(s, doc.document_id)
    records = [record_summary(r) for r in s.scalars(
        select(VerificationRecord).where(VerificationRecord.document_id == doc.document_id)
        .order_by(VerificationRecord.n))]
    return {"state": doc.verification_state, "records": records,
            "persons": [{"ordinal": k, "values": [dict(provenance(v), name=v.name) for v in rows]}
                        for k, rows in sorted(values.items())],
            "labels": DECISION_LABELS}


VERIFIED_VALUES = """{% if current %}<h2 id="verification-state" data-state="{{ current.state }}">Xác minh: {{ current.state }} <small>verification state, beside the report status {{ doc.status }}</small></h2>
{% for p in current.persons %}<table class="values verified" id="current-{{ p.ordinal }}"><caption>Người {{ p.ordinal + 1 }} — giá trị hiện hành <small>current values</small></caption>
<thead><tr><th>Trường</th><th>Giá trị <small>current</small></th><th>Đọc được <small>read</small></th><th>CSDL <small>registry</small></th><th>Quyết định <small>decision</small></th><th>Ai, khi nào, căn cứ <small>who, when, why</small></th></tr></thead><tbody>
{% for v in p["values"] %}<tr data-field="{{ v.name }}" data-decision="{{ v.decision }}"><td>{{ v.name }}</td><td class="current-value">{{ show(v.value) }}</td>
<td>{{ show(v.read_value) }}{% if v.read_confidence is not none %} <small>{{ '%.2f'|format(v.read_confidence) }}</small>{% endif %}</td>
<td>{{ show(v.registry_value) }}{% if v.registry_corrected %} <small>→ đã sửa <span class="en">corrected</span></small>{% endif %}</td>
<td>{{ current.labels.get(v.decision, v.decision) }}</td>
<td>{% if v.decided_by %}{{ v.decided_by }}{% if v.approved_by %}, duyệt <small>approved</small> {{ v.approved_by }}{% endif %} · {{ v.decided_at }}{% if v.legal_basis %}<br><small>{{ v.legal_basis }}</small>{% endif %}{% else %}—{% endif %}</td></tr>{% endfor %}
</tbody></table>{% endfor %}
<p id="verification-records">Biên bản xác minh đã ký <small>signed verification records</small>: {% for r in current.records %}<span class="record" data-n="{{ r.n }}">#{{ r.n }} {{ r.verification_state }} · {{ r.created_at }} · {% if r.sealed %}ký bởi <small>sealed by</small> {{ r.signer }}{% else %}chưa ký <small>not sealed yet</small>{% endif %} · <code>{{ r.sha256[:16] }}…</code></span>{% if not loop.last %}; {% endif %}{% endfor %}</p>
{% endif %}"""

VERIFIED_TEMPLATES = {"verified_values.html": VERIFIED_VALUES}
