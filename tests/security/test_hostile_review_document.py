"""Hostile forms against review by document (ui/routes/review.py): a forged field deciding
an item of another document, an item another verifier holds, a stale form (the item was
decided meanwhile), no or a forged CSRF token. Each is refused with a message saying which
item and why, and nothing changes -- not even the form's other, valid decisions. Real
app over HTTP (TestClient), real catalogue (SQLite and PostgreSQL)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
from sohoa.archive.models import AuditEvent, ReviewItem  # noqa: E402
from sohoa.ui import workflow  # noqa: E402
from sohoa.ui.models import Correction, ItemState  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from test_ui import DOC, _item, _user, cat  # noqa: E402,F401  (the fixture: DOC's two items, b.pdf unmatched)

from security.service_http import csrf, try_login, ui_client  # noqa: E402

OTHER = "D" + "cd" * 12  # b.pdf, an unmatched document


def _verifier(cat, tmp_path, name: str = "vera"):
    c = ui_client(cat, tmp_path)
    assert try_login(c, name, "correct horse battery").status_code == 303
    return c


def _snapshot(cat) -> tuple:
    """What a refused form must leave as it was: items, holders, corrections, decisions audited."""
    with cat.session() as s:
        items = tuple(s.execute(select(ReviewItem.id, ReviewItem.status, ReviewItem.resolution)
                                .order_by(ReviewItem.id)).all())
        holders = tuple(s.execute(select(ItemState.review_item_id, ItemState.assigned_to, ItemState.escalated_at)
                                  .order_by(ItemState.review_item_id)).all())
        corrections = s.scalar(select(func.count()).select_from(Correction))
        decided = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(("ui.item.accept", "ui.item.keep", "ui.item.correct", "ui.item.escalate",
                                   "ui.correction.propose"))))
    return items, holders, corrections, decided


def _decide(client, data: dict, token: str | None = None):
    form = {"csrf": token or csrf(client, f"/ui/review/{DOC}"), "next": "1", **data}
    return client.post(f"/ui/review/{DOC}/decide", data=form, follow_redirects=False)


def test_an_item_of_another_document_in_a_forged_field_is_refused(cat, tmp_path):
    c = _verifier(cat, tmp_path)
    pm = _item(cat, "penalty_months")
    with cat.session() as s:
        foreign = s.scalar(select(ReviewItem.id).where(ReviewItem.document_id == OTHER))
    before = _snapshot(cat)
    # a valid decision beside the forged one, and the forged id slipped into the list of items shown
    r = _decide(c, {"items": f"{pm},{foreign}", f"d_{pm}": "keep", f"d_{foreign}": "escalate",
                    f"n_{foreign}": "forged"})
    assert r.status_code == 400
    assert f"#{foreign}" in r.text and "not an item of this document" in r.text and "nothing saved" in r.text
    assert _snapshot(cat) == before
    # an id that names no item at all, or is not a number, fares the same
    for key in (f"d_{10 ** 9}", "d_1e3", "d_-1"):
        r = _decide(c, {"items": str(pm), key: "keep"})
        assert r.status_code == 400, key
    r = _decide(c, {"items": str(pm), f"d_{pm}": "approve"})  # not a verifier's action
    assert r.status_code == 400 and "unknown action" in r.text
    assert _snapshot(cat) == before


def test_an_item_held_by_another_verifier_is_refused(cat, tmp_path):
    pm, pid = _item(cat, "penalty_months"), _item(cat, "personal_id")
    with cat.session() as s:
        workflow.take(s, _user(cat, "vinh"), pm)
    c = _verifier(cat, tmp_path)
    page = c.get(f"/ui/review/{DOC}").text
    assert "held by vinh" in page  # shown locked, no radio for it
    assert f'name="d_{pm}"' not in page and f'name="d_{pid}"' in page
    before = _snapshot(cat)
    r = _decide(c, {"items": f"{pm},{pid}", f"d_{pm}": "keep", f"d_{pid}": "keep"})
    assert r.status_code == 400 and f"#{pm}" in r.text and "held by vinh" in r.text
    assert _snapshot(cat) == before
    # taking the whole document leaves vinh's item to vinh
    r = c.post(f"/ui/review/{DOC}/take", data={"csrf": csrf(c, f"/ui/review/{DOC}")}, follow_redirects=False)
    assert r.status_code == 303
    with cat.session() as s:
        assert s.get(ItemState, pm).assigned_to == "vinh" and s.get(ItemState, pid).assigned_to == "vera"


def test_a_stale_form_is_refused_and_changes_nothing(cat, tmp_path):
    pm, pid = _item(cat, "penalty_months"), _item(cat, "personal_id")
    c = _verifier(cat, tmp_path)
    token = csrf(c, f"/ui/review/{DOC}")  # vera has the form on her screen ...
    with cat.session() as s:  # ... while vinh decides one of its items on the per-field screen
        workflow.act(s, _user(cat, "vinh"), pm, "keep")
    before = _snapshot(cat)
    r = _decide(c, {"items": f"{pm},{pid}", f"d_{pm}": "correct", f"v_{pm}": "12", f"d_{pid}": "keep",
                    "note": "Bản án số 1/2024/HS-ST"}, token)
    assert r.status_code == 400 and f"#{pm}" in r.text and "already decided" in r.text
    assert _snapshot(cat) == before
    with cat.session() as s:
        assert s.get(ReviewItem, pid).status == "open"
        assert "vinh" in s.get(ReviewItem, pm).resolution
    # an item that was not on the form the verifier saw is not decided blind either
    r = _decide(c, {"items": "", f"d_{pid}": "keep"}, token)
    assert r.status_code == 400 and "not on the page you decided" in r.text
    assert _snapshot(cat) == before


@pytest.mark.parametrize("catalogue_url", ["sqlite"], indirect=True)  # the token check involves no database feature
def test_review_forms_need_the_sessions_csrf_token(cat, tmp_path):
    pm = _item(cat, "penalty_months")
    c = _verifier(cat, tmp_path)
    before = _snapshot(cat)
    for url in (f"/ui/review/{DOC}/decide", f"/ui/review/{DOC}/take", f"/ui/review/{DOC}/release", "/ui/review/next"):
        for token in (None, "forged"):
            data = {"items": str(pm), f"d_{pm}": "keep", **({"csrf": token} if token else {})}
            assert c.post(url, data=data, follow_redirects=False).status_code == 403, (url, token)
    assert _snapshot(cat) == before
    with cat.session() as s:
        refused = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "ui.csrf"))
    assert refused == 8
    # another user's token is no better than a forged one
    vinh = _verifier(cat, tmp_path, "vinh")
    r = _decide(c, {"items": str(pm), f"d_{pm}": "keep"}, csrf(vinh, f"/ui/review/{DOC}"))
    assert r.status_code == 403 and _snapshot(cat) == before
    # a scanner may not even see the review pages (an approver may decide, as on the item page)
    sam = _verifier(cat, tmp_path, "sam")
    assert sam.get(f"/ui/review/{DOC}").status_code == 403 and sam.get("/ui/review").status_code == 403


@pytest.mark.parametrize("catalogue_url", ["postgresql"], indirect=True)
def test_two_verifiers_taking_one_document_at_once_go_one_after_the_other(cat):
    """The document's item rows are locked while one verifier takes (or decides) it: the other
    waits, then finds every item held and takes none (PostgreSQL; SQLite has one writer)."""
    import threading

    from sohoa.ui import review

    vera, vinh = _user(cat, "vera"), _user(cat, "vinh")
    result: dict = {}

    def vinh_takes() -> None:
        with cat.session() as s:
            result["vinh"] = review.take_document(s, vinh, DOC)

    with cat.session() as s:
        assert review.take_document(s, vera, DOC) == (2, [])
        other = threading.Thread(target=vinh_takes)
        other.start()
        other.join(1.5)
        assert other.is_alive(), "vinh did not wait for vera's transaction"
    other.join(30)
    held, skipped = result["vinh"]
    assert held == 0 and len(skipped) == 2 and all("vera" in x for x in skipped)
    with cat.session() as s:
        assert {st.assigned_to for st in s.scalars(select(ItemState))} == {"vera"}
