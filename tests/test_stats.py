"""`sohoa stats` and the workbench's /ui/stats (issue 16 item 5): the figures a unit reports,
counted from a real catalogue (SQLite and PostgreSQL) whose items were decided through the
workbench's own workflow functions."""
from __future__ import annotations

import csv
import io
import json
import re
import warnings
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import sohoa.ui.models  # noqa: F401
from conftest import run_sohoa
from sohoa.archive.catalogue import Catalogue, utcnow
from sohoa.archive.models import Batch, Document, RegistryOutbox, RegistryRecord, RegistrySource, ReviewItem
from sohoa.core.config import load_settings
from sohoa.ui import auth, stats, workflow
from sohoa.ui.app import create_ui_app
from sohoa.ui.models import Correction, UiUser

PASSWORD = "correct horse battery"
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)  # Wednesday of ISO week 2026-W49


def _fill(c: Catalogue) -> None:
    """Unit A: one document matched with nobody asked, one with two items (one decided on time
    by vera with a correction anh approved, one open past its due time). Unit B: one certificate
    with an item still within its deadline."""
    with c.session() as s:
        s.add_all([Batch(batch_id="BA", unit="THA Hà Nội", source_dir="/a", started_at=NOW),
                   Batch(batch_id="BB", unit="=THA Huế", source_dir="/b", started_at=NOW)])
        s.add(RegistryRecord(record_id="R1", doc_type="judgment", document_number="1/2026/HS-ST",
                             imported_at=NOW, updated_at=NOW,
                             data={"record_id": "R1", "doc_type": "judgment", "penalty_months": 9}))
        s.flush()
        for i, (batch, kind, status) in enumerate((("BA", "judgment", "matched"), ("BA", "judgment", "mismatch"),
                                                   ("BB", "certificate", "needs_review"))):
            s.add(Document(document_id=f"D{i}", content_sha256=f"{i}" * 64, batch_id=batch, source=f"{i}.pdf",
                           source_kind="pdf", page_count=1, doc_type=kind, status=status,
                           registry_record_id="R1" if i == 1 else None, converted_at=NOW, created_at=NOW,
                           updated_at=NOW))
        s.flush()
        for doc, field, due in (("D1", "penalty_months", NOW + timedelta(hours=24)),
                                ("D1", "issue_date", NOW + timedelta(hours=1)),
                                ("D2", "person_name", utcnow() + timedelta(hours=5))):
            s.add(ReviewItem(document_id=doc, record_id="R1" if doc == "D1" else None, kind="discrepancy",
                             field=field, document_value=12, registry_value=9, confidence=0.95, status="open",
                             created_at=NOW, due_at=due))
        for name, role in (("vera", "verifier"), ("anh", "approver")):
            auth.create_user(s, name, role, PASSWORD, actor="test")


def _user(c: Catalogue, name: str) -> auth.CurrentUser:
    with c.session() as s:
        u = s.scalar(select(UiUser).where(UiUser.username == name))
        return auth.CurrentUser(u.id, u.username, u.role, None, "csrf")


@pytest.fixture
def cat(catalogue_url):
    c = Catalogue(catalogue_url)
    _fill(c)
    vera, anh = _user(c, "vera"), _user(c, "anh")
    with c.session() as s:
        iid = s.scalar(select(ReviewItem.id).where(ReviewItem.field == "penalty_months"))
    with c.session() as s:
        workflow.take(s, vera, iid)
    with c.session() as s:
        workflow.act(s, vera, iid, "correct", value="10", reason="Bản án 1/2026/HS-ST, đối chiếu bản giấy")
    with c.session() as s:
        workflow.approve(s, anh, s.scalar(select(Correction.id)), "ok")
    with c.session() as s:  # decided within the deadline: pin the decision time inside the week
        item = s.get(ReviewItem, iid)
        assert item.status == "resolved"
        item.resolved_at = NOW + timedelta(hours=3)
        cid = s.scalar(select(Correction.id))
        s.get(Correction, cid).decided_at = NOW + timedelta(hours=3)
        # the registry sync's outbox delivered it to the source database (reconciler/sync/outbox.py)
        s.add(RegistrySource(name="src", mapping={}, mapping_sha256="0" * 64))
        s.flush()
        s.add(RegistryOutbox(idempotency_key=f"correction:{cid}", source="src", record_id="R1",
                             field="penalty_months", new_value=10, expected={}, status="done",
                             next_attempt_at=NOW, created_at=NOW, pushed_at=NOW))
    yield c
    c.dispose()


def test_figures_per_unit_verifier_kind_and_week(cat):
    with cat.session() as s:
        st = stats.compute(s, date(2026, 11, 30), date(2026, 12, 6))
    t = st.total
    assert (t.received, t.auto_matched, t.sent_to_review) == (3, 1, 2)
    assert (t.items, t.resolved, t.resolved_on_time, t.overdue, t.open) == (3, 1, 1, 1, 2)
    assert t.on_time_share == 1.0 and t.corrections == 1 and t.corrections_pushed == 1
    a = st.by["unit"]["THA Hà Nội"]
    assert (a.received, a.auto_matched, a.sent_to_review, a.items, a.overdue) == (3 - 1, 1, 1, 2, 1)
    assert st.by["unit"]["=THA Huế"].items == 1
    assert st.by["verifier"]["vera"].resolved == 1 and st.by["verifier"]["vera"].corrections == 1
    assert st.by["kind"]["certificate"].received == 1
    assert list(st.by["week"]) == ["2026-W49"]
    with cat.session() as s:  # the unit filter and an empty period
        only_b = stats.compute(s, date(2026, 11, 30), date(2026, 12, 6), unit="=THA Huế")
        empty = stats.compute(s, date(2025, 1, 1), date(2025, 1, 31))
    assert (only_b.total.received, only_b.total.items, only_b.total.corrections) == (1, 1, 0)
    assert empty.total.received == 0 and empty.total.on_time_share is None
    with cat.session() as s, pytest.raises(ValueError, match="before"):
        stats.compute(s, date(2026, 12, 6), date(2026, 11, 30))


def test_a_day_is_a_vietnamese_day(cat):
    """Received 20:00 UTC on 7 December is 03:00 on 8 December in Hà Nội: counted on the 8th
    (SQLite keeps naive UTC, PostgreSQL aware times: the same answer)."""
    at = datetime(2026, 12, 7, 20, 0, tzinfo=timezone.utc)
    with cat.session() as s:
        s.add(Document(document_id="DL", content_sha256="9" * 64, batch_id="BA", source="late.pdf", source_kind="pdf",
                       page_count=1, doc_type="judgment", status="matched", converted_at=at, created_at=at,
                       updated_at=at))
    with cat.session() as s:
        on_8th = stats.compute(s, date(2026, 12, 8), date(2026, 12, 8))
        on_7th = stats.compute(s, date(2026, 12, 7), date(2026, 12, 7))
    assert (on_8th.total.received, on_7th.total.received) == (1, 0)
    assert list(on_8th.by["week"]) == ["2026-W50"]


def test_csv_neutralises_formulas_and_json_round_trips(cat):
    with cat.session() as s:
        st = stats.compute(s, date(2026, 11, 30), date(2026, 12, 6))
    rows = list(csv.DictReader(io.StringIO(st.to_csv())))
    assert rows[0]["dimension"] == "total" and rows[0]["received"] == "3"
    units = {r["key"] for r in rows if r["dimension"] == "unit"}
    assert units == {"THA Hà Nội", "'=THA Huế"}  # a unit named like a formula stays text in a spreadsheet
    assert json.loads(st.to_json())["by"]["verifier"]["vera"]["resolved"] == 1


def test_workbench_page_shows_figures_and_chart(cat, tmp_path):
    rt = SimpleNamespace(catalogue=cat, store=None, settings=load_settings(env={"SOHOA_HOME": str(tmp_path)}))
    client = TestClient(create_ui_app(rt), base_url="http://127.0.0.1")
    r = client.get("/ui/login")
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    client.post("/ui/login", data={"csrf": token, "username": "vera", "password": PASSWORD, "next": "/ui/"})
    r = client.get("/ui/stats", params={"start": "2026-11-30", "end": "2026-12-06"})
    assert r.status_code == 200
    assert re.search(r'id="t-received">3<', r.text) and re.search(r'id="t-auto">1<', r.text)
    bars = re.findall(r'data-week="2026-W49" data-series="(\w+)" data-value="(\d+)"', r.text)
    assert dict(bars) == {"received": "3", "auto_matched": "1", "sent_to_review": "2", "overdue": "1"}
    r = client.get("/ui/stats", params={"start": "not-a-date", "end": "2026-13-45"})
    assert r.status_code == 200  # a malformed date gives the default period, never a 500
    r = client.get("/ui/stats.csv", params={"start": "2026-11-30", "end": "2026-12-06"})
    assert r.headers["content-type"].startswith("text/csv") and r.text.startswith("dimension,key,received")


def test_stats_command(home, tmp_path):
    settings = load_settings(env={"SOHOA_HOME": str(home)})
    c = Catalogue(settings.database_url)
    _fill(c)
    c.dispose()
    out = run_sohoa(home, "stats", "--from", "2026-11-30", "--to", "2026-12-06", "--format", "json")
    figures = json.loads(out.stdout)
    assert figures["total"]["received"] == 3 and figures["by"]["kind"]["judgment"]["received"] == 2
    out = run_sohoa(home, "stats", "--from", "2026-11-30", "--to", "2026-12-06", "--unit", "THA Hà Nội",
                    "--format", "csv")
    assert out.stdout.splitlines()[1].startswith("total,,2,1,1")
    bad = run_sohoa(home, "stats", "--from", "30/11/2026", check=False)
    assert bad.returncode == 2 and "not a date" in bad.stderr
