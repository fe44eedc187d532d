"""Review by document without a browser (ui/review.py, ui/routes/review.py): the document
queue's order, one POST deciding every item of a two-person document through workflow.act
(the same audit events and two-person rule as the per-field screen), the next document
taken, and an item kind the screen does not know shown generically. Real app over HTTP
(TestClient) on the real catalogue (SQLite: the rules themselves are checked on both
databases by tests/security/test_hostile_review_document.py)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import AuditEvent, ReviewItem
from sohoa.ui import review
from sohoa.ui.models import Correction, ItemState
from sqlalchemy import select
from test_ui import DOC, PASSWORD, _client, _login, _two_persons, _user, cat  # noqa: F401

OTHER = "D" + "cd" * 12

pytestmark = pytest.mark.parametrize("catalogue_url", ["sqlite"], indirect=True)


def test_one_post_decides_a_two_person_document_and_takes_the_next(cat, tmp_path):
    p1 = _two_persons(cat)  # DOC: person 0's two discrepancies, person 1's doubtful term
    with cat.session() as s:
        ids = {(i.person, i.field): i.id for i in s.scalars(select(ReviewItem).where(ReviewItem.document_id == DOC))}
        # the unmatched document is due later: DOC comes first
        s.get(ReviewItem, s.scalar(select(ReviewItem.id).where(ReviewItem.document_id == OTHER))).due_at = \
            utcnow() + timedelta(hours=30)
    with cat.session() as s:
        rows, total = review.open_documents(s, _user(cat, "vera"))
        assert [r.document_id for r in rows] == [DOC, OTHER] and total == 2
        assert rows[0].open_items == 3 and rows[0].persons == 2
    c = _client(cat, tmp_path)
    _login(c, "vera")
    page = c.get("/ui/review")
    assert page.status_code == 200 and page.text.index(DOC) < page.text.index(OTHER)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = c.post("/ui/review/next", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/ui/review/{DOC}"
    with cat.session() as s:  # every item of the document is vera's now, each take audited
        assert {s.get(ItemState, i).assigned_to for i in ids.values()} == {"vera"}
    screen = c.get(f"/ui/review/{DOC}").text
    for iid in ids.values():
        assert f'id="ritem-{iid}"' in screen and f'src="/ui/items/{iid}/crop.png"' in screen
    assert 'data-person="0"' in screen and 'data-person="1"' in screen and "Người 2: Trần Văn Bình" in screen
    # a correction without a legal basis: refused, nothing saved, the screen keeps what was decided
    pid0 = ids[(0, "personal_id")]
    r = c.post(f"/ui/review/{DOC}/decide", data={
        "csrf": token, "next": "1", "items": ",".join(map(str, ids.values())),
        f"d_{ids[(0, 'penalty_months')]}": "keep", f"d_{pid0}": "correct", f"v_{pid0}": "001090012347"})
    assert r.status_code == 400 and "legal basis" in r.text and f"#{pid0}" in r.text
    assert re.search(rf'name="d_{pid0}" value="correct" checked', r.text) and 'value="001090012347"' in r.text
    with cat.session() as s:
        assert s.get(ReviewItem, ids[(0, "penalty_months")]).status == "open"
    r = c.post(f"/ui/review/{DOC}/decide", data={
        "csrf": token, "next": "1", "items": ",".join(map(str, ids.values())),
        f"d_{ids[(0, 'penalty_months')]}": "keep",
        f"d_{ids[(0, 'personal_id')]}": "correct", f"v_{ids[(0, 'personal_id')]}": "001090012347",
        f"d_{p1}": "escalate", f"n_{p1}": "Bản án ghi không rõ thời hạn",
        "note": "Bản án số 1/2024/HS-ST, đối chiếu bản giấy"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/ui/review/{OTHER}"  # on to the next document, taken
    with cat.session() as s:
        pm, pid = s.get(ReviewItem, ids[(0, "penalty_months")]), s.get(ReviewItem, ids[(0, "personal_id")])
        assert pm.status == "resolved" and pm.resolution.startswith("kept")
        corr = s.scalar(select(Correction).where(Correction.review_item_id == pid.id))
        assert pid.status == "open" and corr.status == "pending" and corr.new_value == "001090012347"
        assert corr.author == "vera" and corr.legal_basis.startswith("Bản án số 1/2024")
        st = s.get(ItemState, p1)
        assert st.escalated_by == "vera" and st.escalation_comment == "Bản án ghi không rõ thời hạn"
        actions = [(e.action, e.object) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert ("ui.item.keep", f"review_item:{pm.id}") in actions
        assert ("ui.item.escalate", f"review_item:{p1}") in actions
        assert ("ui.correction.propose", "registry:R1") in actions
        other = s.scalar(select(ReviewItem.id).where(ReviewItem.document_id == OTHER))
        assert s.get(ItemState, other).assigned_to == "vera"
    # leaving the next document releases it
    r = c.post(f"/ui/review/{OTHER}/release", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    with cat.session() as s:
        assert s.get(ItemState, other).assigned_to is None


def test_an_unknown_item_kind_is_shown_generically(cat, tmp_path):
    """A kind added later (a split, a conflict with the source database) shows its field, its
    document value, its other value and a free-text decision, and does not break the screen."""
    with cat.session() as s:
        s.add(ReviewItem(document_id=DOC, record_id="R1", kind="split", field="document_number",
                         document_value="1/2024/HS-ST", registry_value="2/2024/HS-ST", confidence=0.5,
                         status="open", created_at=utcnow(), due_at=utcnow() + timedelta(hours=1)))
    c = _client(cat, tmp_path)
    _login(c, "vera")
    page = c.get(f"/ui/review/{DOC}")
    assert page.status_code == 200
    block = page.text[page.text.index('data-kind="split"'):]
    block = block[:block.index("</fieldset>")]
    assert "document_number" in block and "1/2024/HS-ST" in block and "2/2024/HS-ST" in block
    assert "Giá trị khác" in block and "free text" in block and 'class="wide rvalue"' in block
