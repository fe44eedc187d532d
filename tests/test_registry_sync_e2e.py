"""Issue 16's loop, end to end: the registry lives in another system's PostgreSQL (its own
schema: tests/foreign_registry.py), `sohoa registry sync` reads it, a one-document batch is
processed, a verifier resolves the discrepancy in a real browser, an approver approves, `sohoa
registry push` writes the corrected value into the source row (history and audit say who, what,
when, why), a second sync changes nothing, and a clerk's later change to the decided field raises
a conflict item instead of undoing the decision; left overdue, it is mailed to the verifier
through a local SMTP server."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import CHROMIUM, run_sohoa, serve_ui
from foreign_registry import change_person, fill, person_row, write_mapping
from notify_servers import SmtpSink
from sohoa.archive.catalogue import Catalogue, utcnow
from sohoa.archive.models import AuditEvent, Document, RegistryHistory, RegistryOutbox, RegistryRecord, ReviewItem
from sqlalchemy import func, select

pytestmark = [pytest.mark.slow, pytest.mark.ui]
pytest.importorskip("playwright.sync_api")


def _login(browser, server: str, name: str):
    page = browser.new_context(viewport={"width": 1300, "height": 900}, locale="vi-VN").new_page()
    page.set_default_timeout(20000)
    page.goto(server + "/ui/login")
    page.fill("#username", name)
    page.fill("#password", f"mat-khau-{name}-2026")
    page.click("#login")
    page.wait_for_load_state()
    return page


def test_a_correction_reaches_the_foreign_database_and_nothing_reverts_it(pg_database_url, tmp_path, ui_browser,
                                                                         ui_shots):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed")
    home = tmp_path / "home"
    run_sohoa(home, "sample", str(tmp_path / "sample"), "--docs", "1", "--seed", "2", "--degradation", "light",
              "--no-bad-files")
    records = [json.loads(line) for line in (tmp_path / "sample" / "registry.jsonl").read_text("utf-8").splitlines()]
    target = next(r for r in records if r.get("penalty_months") == 72)  # the judgment's defendant: 6 years
    target["penalty_months"] = 60  # the other system's clerk typed 5 years
    fill(pg_database_url, records)
    mapping = write_mapping(tmp_path / "tpa.toml")
    source = {"SOHOA_REGISTRY_SOURCE_URL": pg_database_url}  # the password stays off the command line
    rid = target["record_id"]

    synced = run_sohoa(home, "registry", "sync", "--mapping", str(mapping), env=source).stdout
    assert f"{len(records)} added, 0 updated" in synced and "full sync of tpa" in synced
    run_sohoa(home, "process", str(tmp_path / "sample" / "batch"), "--report", str(tmp_path / "report.json"))
    for name, role in (("vera", "verifier"), ("anh", "approver")):
        (tmp_path / f"{name}.pw").write_text(f"mat-khau-{name}-2026\n")
        run_sohoa(home, "user", "create", name, "--role", role, "--password-file", str(tmp_path / f"{name}.pw"))
    cat = Catalogue(f"sqlite:///{(home / 'catalogue.sqlite3').resolve()}")
    try:
        with cat.session() as s:
            item = s.scalars(select(ReviewItem).where(ReviewItem.record_id == rid, ReviewItem.kind == "discrepancy",
                                                      ReviewItem.field == "penalty_months")).one()
            assert (item.document_value, item.registry_value) == (72, 60)
            item_id, doc_id = item.id, item.document_id

        with serve_ui(home) as server:
            vera = _login(ui_browser, server, "vera")
            vera.goto(server + f"/ui/items/{item_id}")
            assert vera.inner_text("#doc-value") == "72" and vera.inner_text("#reg-value") == "60"
            vera.fill("#reason", "Bản án 52/2019/HS-ST tuyên 6 năm tù (trang 2)")
            vera.click("#btn-accept")
            assert "chờ phê duyệt" in vera.inner_text("#flash")
            anh = _login(ui_browser, server, "anh")
            anh.goto(server + "/ui/approvals")
            anh.locator("#pending tr", has_text="penalty_months").locator("button[id^=approve-]").click()
            anh.wait_for_load_state()
            assert anh.locator("#pending button[id^=approve-]").count() == 0
            with cat.session() as s:  # every item decided: the verified truth, and its signed record
                assert s.get(Document, doc_id).verification_state == "corrected"
            run_sohoa(home, "verification", "fetch", doc_id, "1", "-o", str(tmp_path / "records"))
            assert "VALID" in run_sohoa(home, "verify", str(tmp_path / "records" / "1.json")).stdout

            pushed = run_sohoa(home, "registry", "push", "--mapping", str(mapping), env=source).stdout
            assert "1 pushed, 0 conflicts" in pushed
            row = person_row(pg_database_url, rid)
            assert (row["an_nam"], row["an_thang"]) == (6, 0)  # the source row holds the corrected value
            with cat.session() as s:
                h = s.scalars(select(RegistryHistory).where(RegistryHistory.record_id == rid,
                                                            RegistryHistory.field == "penalty_months")).one()
                assert (h.old_value, h.new_value, h.actor, h.approved_by) == (60, 72, "ui:vera", "anh")
                assert "6 năm" in h.reason and h.at is not None
                ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.push")).one()
                assert ev.outcome == "ok" and ev.detail["decided_by"] == "anh" and "6 năm" in ev.detail["reason"]
                assert ev.detail["value"] == 72 and ev.at >= h.at.replace(tzinfo=ev.at.tzinfo)
                assert s.scalars(select(RegistryOutbox)).one().status == "done"
                history = s.scalar(select(func.count()).select_from(RegistryHistory))

            again = run_sohoa(home, "registry", "sync", "--mapping", str(mapping), env=source).stdout
            assert "0 added, 0 updated" in again and "0 conflicts" in again and "incremental" in again
            with cat.session() as s:
                assert s.scalar(select(func.count()).select_from(RegistryHistory)) == history  # nothing changed

            change_person(pg_database_url, rid, an_nam=7)  # a clerk types 7 years over the decision
            third = run_sohoa(home, "registry", "sync", "--mapping", str(mapping), env=source).stdout
            assert "1 conflicts" in third
            with cat.session() as s:
                assert s.get(RegistryRecord, rid).data["penalty_months"] == 72  # not reverted
                conflict = s.scalars(select(ReviewItem).where(ReviewItem.kind == "conflict")).one()
                assert (conflict.document_value, conflict.registry_value, conflict.status) == (72, 84, "open")
                # decided values in question again: the document is pending until a person settles it
                assert s.get(Document, conflict.document_id).verification_state == "pending"
            vera.goto(server + f"/ui/items/{conflict.id}")
            assert vera.inner_text("#doc-value") == "72" and vera.inner_text("#reg-value") == "84"
            assert vera.locator("#conflict-note").count() == 1
            vera.screenshot(path=str(ui_shots / "registry-conflict.png"), full_page=True)

        # left undecided past its due time: `sohoa notify` mails the verifier through a local SMTP server
        with cat.session() as s:
            s.get(ReviewItem, conflict.id).due_at = utcnow() - timedelta(hours=1)
        run_sohoa(home, "notify", "contact", "vera", "--email", "vera@tha.example")
        smtp = SmtpSink().start()
        try:
            run_sohoa(home, "notify", env={"SOHOA_SMTP_HOST": "127.0.0.1", "SOHOA_SMTP_PORT": str(smtp.port),
                                           "SOHOA_SMTP_SECURITY": "none"})
        finally:
            smtp.stop()
        mails = [m for m in smtp.mails if m.rcpt == ["vera@tha.example"]]
        assert len(mails) == 1 and f"/ui/items/{conflict.id}" in mails[0].msg.get_content()
    finally:
        cat.dispose()
