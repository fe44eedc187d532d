"""README claims that had no test of their own (issue 19 item 9), each proved through the real
interface: HTTP against the real workbench and service API apps (the fixtures of tests/test_ui.py
and tests/test_api.py: a migrated SQLite and PostgreSQL catalogue, real Argon2 hashes, a real
PAdES-signed document), the CLI as a process (run_sohoa), configuration as Settings loads it.

Claims: the workbench's 1 h idle / 10 h absolute session, no framing, never the last admin, the
record history's JSON export, the queue's 500-row cap; the API's "no event, no data" (503) and
masking of passport_number; `sohoa serve --workers`; the integrity findings size_mismatch,
unreadable, no_signed_object, audit_chain; configuration precedence (environment > TOML >
defaults) and max_pages."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ROOT, run_sohoa
from sohoa.archive.catalogue import utcnow, verify_audit_chain
from sohoa.archive.models import AuditEvent, Document, FieldValue, Person, PersonField, ReviewItem, StoredObject
from sohoa.ui import workflow
from sohoa.ui.models import UiSession, UiUser
from sqlalchemy import func, select, text, update
from test_api import DOC_A, DOC_B, PID, Env, env, signed  # noqa: F401  (fixtures)
from test_ui import DOC, PASSWORD, _client, _csrf, _item, _login, _user, cat  # noqa: F401  (fixtures)

# Claims that do not depend on the database kind run on SQLite only (each PostgreSQL catalogue costs
# a migration and four Argon2 hashes); sessions, the audit trigger, the admins' race and integrity
# run on both.
SQLITE_ONLY = pytest.mark.parametrize("catalogue_url", ["sqlite"], indirect=True)


def _ago(**delta) -> object:
    return utcnow() - timedelta(**delta)


# --- the workbench -----------------------------------------------------------------------------------

def _session_row(cat, username: str) -> UiSession:
    with cat.session() as s:
        return s.scalars(select(UiSession).join(UiUser).where(UiUser.username == username)).one()


def _set_session(cat, username: str, **values) -> None:
    with cat.session() as s:
        uid = s.scalar(select(UiUser.id).where(UiUser.username == username))
        s.execute(update(UiSession).where(UiSession.user_id == uid).values(**values))


def _signed_in(client) -> bool:
    r = client.get("/ui/queue", follow_redirects=False)
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


def test_session_ends_after_an_idle_hour(cat, tmp_path):
    """README: the session is kept 1 h idle."""
    c = _client(cat, tmp_path)
    _login(c, "vera")
    _set_session(cat, "vera", last_seen=_ago(minutes=59))
    assert _signed_in(c)  # 59 idle minutes: still signed in, and the request counts as activity
    assert utcnow() - workflow.aware(_session_row(cat, "vera").last_seen) < timedelta(minutes=1)
    _set_session(cat, "vera", last_seen=_ago(minutes=61))
    r = c.get("/ui/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
    with cat.session() as s:  # the expired session is gone, not merely refused
        assert s.scalar(select(func.count()).select_from(UiSession)) == 0


def test_session_ends_ten_hours_after_login_however_active(cat, tmp_path):
    """README: 10 h absolute -- activity does not extend it."""
    c = _client(cat, tmp_path)
    _login(c, "vera")
    row = _session_row(cat, "vera")
    assert workflow.aware(row.expires_at) - workflow.aware(row.created_at) == timedelta(hours=10)
    # 9 h 58 min after login, active a minute ago: still signed in
    _set_session(cat, "vera", created_at=_ago(hours=9, minutes=58), expires_at=_ago(minutes=-2),
                 last_seen=_ago(minutes=1))
    assert _signed_in(c)
    assert workflow.aware(_session_row(cat, "vera").expires_at) < utcnow() + timedelta(minutes=3)  # not extended
    # 10 h 1 min after login, active a minute ago: over
    _set_session(cat, "vera", created_at=_ago(hours=10, minutes=1), expires_at=_ago(minutes=1),
                 last_seen=_ago(minutes=1))
    assert not _signed_in(c)


@SQLITE_ONLY
def test_no_page_of_the_workbench_may_be_framed(cat, tmp_path):
    """README: strict CSP, no framing -- on every answer, HTML or not, signed in or not, errors too."""
    c = _client(cat, tmp_path)
    anonymous = ["/ui/login", "/ui/static/app.css", "/ui/static/app.js", "/ui/queue", "/ui/no-such-page"]
    answers = [c.get(u, follow_redirects=False) for u in anonymous]
    _login(c, "vera")
    iid = _item(cat, "penalty_months")
    for u in ("/ui/queue", f"/ui/items/{iid}", "/ui/records/R1", "/ui/records/R1/history.json", "/ui/users",
              f"/ui/items/{iid + 1000}"):
        answers.append(c.get(u, follow_redirects=False))
    answers.append(c.post(f"/ui/items/{iid}/act", data={"action": "keep", "csrf": "forged"}))
    assert {r.status_code for r in answers} >= {200, 303, 403, 404}
    for r in answers:
        assert r.headers.get("x-frame-options") == "DENY", (r.url, r.status_code)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, (r.url, csp)
        assert "unsafe-inline" not in csp


def test_never_the_last_admin(home, tmp_path):
    """README: an admin cannot disable their own account, and the last active admin is never
    disabled (the CLI is the one way to try the latter: only an admin may disable accounts).
    The real `sohoa` command group, in-process (CliRunner): seven process starts cost ~40 s."""
    from click.testing import CliRunner

    from sohoa.cli import main

    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n", "utf-8")
    runner = CliRunner()

    def sohoa(*args: str):
        return runner.invoke(main, ["--home", str(home), *args])

    assert sohoa("user", "create", "root", "--role", "admin", "--password-file", str(pw)).exit_code == 0
    refused = sohoa("user", "disable", "root")
    assert refused.exit_code == 2 and "last active admin" in refused.stderr, refused.output
    assert sohoa("user", "create", "boss", "--role", "admin", "--password-file", str(pw)).exit_code == 0
    assert "disabled" in sohoa("user", "disable", "root").stdout  # boss remains
    refused = sohoa("user", "disable", "boss")
    assert refused.exit_code == 2 and "last active admin" in refused.stderr
    listed = sohoa("user", "list").stdout
    assert re.search(r"^boss\s+admin\s+active", listed, re.M) and re.search(r"^root\s+admin\s+disabled", listed, re.M)
    # and through the workbench: the one active admin cannot disable their own account
    from sohoa.archive.catalogue import Catalogue

    cat = Catalogue(f"sqlite:///{home / 'catalogue.sqlite3'}")
    try:
        c = _client(cat, tmp_path)
        _login(c, "boss")
        r = c.post("/ui/users/boss/disable", data={"csrf": _csrf(c, "/ui/users")})
        assert r.status_code == 400
        with cat.session() as s:
            assert s.scalar(select(UiUser.active).where(UiUser.username == "boss")) is True
    finally:
        cat.dispose()


def test_two_admins_disabling_each_other_at_once_leave_one(catalogue_url):
    """Never the last admin, also when the last two disable each other at the same moment: the
    second refusal must see the first's change (each counted two active admins before the fix)."""
    import threading

    from sohoa.archive.catalogue import Catalogue
    from sohoa.ui import auth

    cat = Catalogue(catalogue_url)
    try:
        with cat.session() as s:
            auth.create_user(s, "root", "admin", PASSWORD, actor="test")
            auth.create_user(s, "boss", "admin", PASSWORD, actor="test")
        first_written = threading.Event()
        outcome: list[str] = []

        def boss_disables_root() -> None:
            first_written.wait(30)
            try:
                with cat.session() as s:
                    auth.set_active(s, "root", False, actor="ui:boss", actor_username="boss")
                outcome.append("disabled")
            except auth.UserError as exc:
                outcome.append(f"refused: {exc}")

        other = threading.Thread(target=boss_disables_root)
        other.start()
        with cat.session() as s:
            auth.set_active(s, "boss", False, actor="ui:root", actor_username="root")
            s.flush()
            first_written.set()
            time.sleep(1.5)  # the other transaction runs meanwhile, up to where it must wait
        other.join(60)
        assert len(outcome) == 1 and outcome[0].startswith("refused") and "last active admin" in outcome[0]
        with cat.session() as s:
            assert s.scalars(select(UiUser.username).where(UiUser.role == "admin", UiUser.active.is_(True))
                             ).all() == ["root"]
    finally:
        cat.dispose()


@SQLITE_ONLY
def test_record_history_exports_as_json(cat, tmp_path):
    """README: History (/ui/records/ID): every change of the record (time, actor, field, old, new,
    reason, approver), exportable as CSV or JSON."""
    vera, anh = _user(cat, "vera"), _user(cat, "anh")
    with cat.session() as s:
        workflow.act(s, vera, _item(cat, "penalty_months"), "correct", value="10",
                     reason="Bản án số 1/2024/HS-ST ghi 10 tháng")
    with cat.session() as s:
        from sohoa.ui.models import Correction

        cid = s.scalar(select(Correction.id))
    with cat.session() as s:
        workflow.approve(s, anh, cid, "đúng bản giấy")
    c = _client(cat, tmp_path)
    _login(c, "vera")
    r = c.get("/ui/records/R1/history.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"] == 'attachment; filename="R1-history.json"'
    rows = json.loads(r.text)
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == {"at", "actor", "field", "old_value", "new_value", "reason", "approved_by"}
    assert (row["actor"], row["field"], row["old_value"], row["new_value"], row["approved_by"]) == \
        ("ui:vera", "penalty_months", 9, 10, "anh")
    assert row["reason"] == "Bản án số 1/2024/HS-ST ghi 10 tháng" and "T" in row["at"]
    with cat.session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "ui.record.export")).one()
        assert (ev.actor, ev.object, ev.detail["format"]) == ("ui:vera", "registry:R1", "json")
    assert c.get("/ui/records/R404/history.json").status_code == 404
    assert c.get("/ui/records/R1/history.xml").status_code == 404
    scanner = _client(cat, tmp_path)
    _login(scanner, "sam")
    assert scanner.get("/ui/records/R1/history.json").status_code == 403


@SQLITE_ONLY
def test_queue_shows_at_most_500_rows_and_counts_all(cat, tmp_path):
    """README: at most 500 rows shown, the count is of all matches."""
    now = utcnow()
    with cat.session() as s:
        s.add_all([ReviewItem(document_id=DOC, record_id="R1", kind="low_confidence", field=f"f{i:03d}",
                              document_value=i, confidence=0.5, status="open", created_at=now,
                              due_at=now + timedelta(hours=24, seconds=i)) for i in range(520)])
        total = s.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.status == "open"))
    assert total == 523
    c = _client(cat, tmp_path)
    _login(c, "vera")
    page = c.get("/ui/queue").text
    assert len(re.findall(r'<tr class="[^"]*" data-item="\d+"', page)) == 500
    assert f'<span id="open-count">{total}</span>' in page
    assert f"the first 500 of {total}" in page
    # a filter narrows the count and the rows alike
    page = c.get("/ui/queue", params={"kind": "discrepancy"}).text
    assert len(re.findall(r'data-item="\d+"', page)) == 2 and '<span id="open-count">2</span>' in page


# --- the service API ---------------------------------------------------------------------------------

def _audit_down(env: Env, down: bool) -> None:
    """Make every append to the audit log fail in the database itself (a trigger), or mend it."""
    with env.rt.catalogue.engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if down and sqlite:
            conn.execute(text("CREATE TRIGGER audit_down BEFORE INSERT ON audit_events "
                              "BEGIN SELECT RAISE(ABORT, 'audit log down'); END"))
        elif down:
            conn.execute(text("CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS "
                              "$$ BEGIN RAISE EXCEPTION 'audit log down'; END $$"))
            conn.execute(text("CREATE TRIGGER audit_down BEFORE INSERT ON audit_events "
                              "FOR EACH ROW EXECUTE FUNCTION audit_down()"))
        else:
            conn.execute(text("DROP TRIGGER audit_down" + ("" if sqlite else " ON audit_events")))


def test_no_audit_event_no_data(env):
    """README: every request is an audit event committed before the response starts: no event,
    no data (503)."""
    full = env.token("court-system", "read", "read_personal")
    n_before = len(env.events())
    _audit_down(env, True)
    try:
        for url in (f"/documents/{DOC_A}", f"/documents/{DOC_A}/original", f"/documents/{DOC_A}/verification",
                    f"/documents?personal_id={PID}", "/documents?document_number=125/2024/HS-ST"):
            r = env.get(url, full)
            assert r.status_code == 503, (url, r.status_code)
            assert r.json() == {"detail": "audit log unavailable; request not served"}
            assert b"%PDF" not in r.content and PID not in r.text and "125/2024" not in r.text
        assert env.get(f"/documents/{DOC_A}").status_code == 503  # a refusal is an event too
    finally:
        _audit_down(env, False)
    assert len(env.events()) == n_before  # nothing half-written
    r = env.get(f"/documents/{DOC_A}/original", full)
    assert r.status_code == 200 and r.content == env.pdf
    with env.rt.catalogue.session() as s:
        assert verify_audit_chain(s) == []


PASSPORT = "C4821379"


def _foreigner(env: Env) -> None:
    """DOC_B concerns a foreigner: a passport number instead of a personal ID."""
    with env.rt.catalogue.session() as s:
        s.add(FieldValue(document_id=DOC_B, name="passport_number", value=PASSPORT, confidence=0.96, page=1))
        s.add(FieldValue(document_id=DOC_B, name="person_name", value="John Smith", confidence=0.95, page=1))
        p = Person(document_id=DOC_B, ordinal=0, person_name="John Smith", passport_number=PASSPORT,
                   status="matched", discrepancies=[])
        s.add(p)
        s.flush()
        s.add(PersonField(person_id=p.id, name="passport_number", value=PASSPORT, confidence=0.96, page=1))
        s.add(PersonField(person_id=p.id, name="person_name", value="John Smith", confidence=0.95, page=1))


def test_passport_number_masked_unless_read_personal(env):
    """README: without read_personal, personal_id/passport_number show masked -- in records, search
    results and the audit log alike; a search by passport needs read_personal."""
    _foreigner(env)
    read = env.token("reader", "read")
    full = env.token("full", "read", "read_personal")
    masked = env.get(f"/documents/{DOC_B}", read).json()
    assert masked["masked"] is True
    assert masked["fields"]["passport_number"]["value"] == "C*****79"
    assert masked["persons"][0]["fields"]["passport_number"]["value"] == "C*****79"
    assert masked["persons"][0]["links"] == {}  # the timeline is keyed by the passport number
    assert masked["fields"]["person_name"]["value"] == "John Smith"
    assert PASSPORT not in json.dumps(masked)
    plain = env.get(f"/documents/{DOC_B}", full).json()
    assert plain["fields"]["passport_number"]["value"] == PASSPORT
    assert plain["persons"][0]["fields"]["passport_number"]["value"] == PASSPORT
    r = env.get("/documents", read, params={"passport_number": PASSPORT})
    assert r.status_code == 403 and PASSPORT not in r.text
    r = env.get("/documents", full, params={"passport_number": PASSPORT})
    assert r.status_code == 200 and [d["document_id"] for d in r.json()["documents"]] == [DOC_B]
    ev = env.last()
    assert ev.detail["query"] == {"passport_number": "C*****79"}
    with env.rt.catalogue.session() as s:
        dump = json.dumps([[e.object, e.detail] for e in s.scalars(select(AuditEvent))], ensure_ascii=False)
    assert PASSPORT not in dump
    assert PASSPORT not in (env.home / "logs" / "sohoa.jsonl").read_text("utf-8")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def test_serve_workers_needs_postgresql(home):
    proc = run_sohoa(home, "serve", "--workers", "2", "--port", str(_free_port()), check=False)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert err.count("\n") == 0 and err.startswith("sohoa: error:") and "PostgreSQL" in err


@pytest.mark.slow
def test_serve_workers_runs_several_processes_on_postgresql(home, pg_database_url):
    """README: sohoa serve --workers N with PostgreSQL -- N worker processes on one fresh catalogue
    (migrated once though they start together), one audit chain."""
    import httpx

    server_env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_DB_URL": pg_database_url}
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sohoa.cli", "serve", "--workers", "2", "--port", str(port)],
                            cwd=ROOT, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/documents/{DOC_A}", timeout=2)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError(proc.stderr.read().decode()[-3000:]) from None
                time.sleep(0.3)
        assert r.status_code == 401
        workers = [p for p in _children(proc.pid)
                   if "spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]
        assert len(workers) == 2, workers
        secret = run_sohoa(home, "token", "create", "court-system", "--scope", "read",
                           env={"SOHOA_DB_URL": pg_database_url}).stdout.split()[0]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {secret}"}) as http:
            codes = [http.get(f"/documents/{DOC_A}").status_code for _ in range(40)]
            assert set(codes) == {404}  # served (not in the archive), by whichever worker
            assert http.get("/ui/login").status_code == 200
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(15)
    from sohoa.archive.catalogue import Catalogue

    cat = Catalogue(pg_database_url)
    try:
        with cat.session() as s:
            assert verify_audit_chain(s) == []
            assert s.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.actor == "court-system", AuditEvent.outcome == "not_found")) == 40
    finally:
        cat.dispose()


# --- integrity findings ------------------------------------------------------------------------------

def _check(env: Env):
    from sohoa.retention.integrity import check_integrity

    return check_integrity(env.rt, signatures=False, alert=False)


def test_integrity_size_mismatch_no_signed_object_and_audit_chain(env):
    """README: findings size_mismatch, no_signed_object, audit_chain -- each naming what is wrong."""
    assert _check(env).findings == []
    with env.rt.catalogue.session() as s:
        obj = s.scalars(select(StoredObject).where(StoredObject.document_id == DOC_A)).one()
        obj_id, size = obj.id, obj.size
        obj.size = size + 7
        now = utcnow()
        s.add(Document(document_id="D" + "c3" * 12, content_sha256="c3" * 32, batch_id="B-API",
                       source="lo1/qd-02.pdf", source_kind="pdf_text", page_count=1, ocr_used=False,
                       doc_type="decision", doc_type_confidence=0.95, status="matched", signer="DEMO",
                       converted_at=now, created_at=now, updated_at=now))
    with env.rt.catalogue.session() as s:
        first = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        first.actor = "someone-else"
        first_id = first.id
    report = _check(env)
    kinds = sorted(f.kind for f in report.findings)
    assert kinds == ["audit_chain", "no_signed_object", "size_mismatch"], report.to_text()
    by = {f.kind: f for f in report.findings}
    assert (by["size_mismatch"].object_id, by["size_mismatch"].document_id) == (obj_id, DOC_A)
    assert f"{size + 7} bytes" in by["size_mismatch"].detail and f"{size}" in by["size_mismatch"].detail
    assert by["no_signed_object"].document_id == "D" + "c3" * 12
    assert f"event {first_id}" in by["audit_chain"].detail
    assert not report.ok
    # and through the CLI: exit 1, the counts in the JSON
    proc = run_sohoa(env.home, "integrity", "check", "--json", check=False,
                     env={"SOHOA_DB_URL": env.rt.settings.database_url})
    assert proc.returncode == 1, proc.stderr
    counts = json.loads(proc.stdout)["counts"]
    assert {k: counts.get(k) for k in ("size_mismatch", "no_signed_object", "audit_chain")} == \
        {"size_mismatch": 1, "no_signed_object": 1, "audit_chain": 1}


def test_integrity_unreadable_object(env):
    """README: finding `unreadable` -- the store holds the version but its content cannot be read."""
    with env.rt.catalogue.session() as s:
        objs = {o.document_id: (o.id, o.sha256) for o in s.scalars(select(StoredObject))}
    sha = objs[DOC_A][1]
    blob = env.rt.settings.store_root / "blobs" / "sha256" / sha[:2] / sha
    os.chmod(blob, 0o644)
    blob.unlink()
    blob.mkdir()  # a directory where the content file was: reading it fails (EISDIR)
    report = _check(env)
    unreadable = sorted((f.document_id, f.object_id) for f in report.findings if f.kind == "unreadable")
    # DOC_A and DOC_B hold the same bytes, so the same content file
    assert unreadable == sorted((d, objs[d][0]) for d in (DOC_A, DOC_B)), report.to_text()
    assert {f.kind for f in report.findings} == {"unreadable"}
    assert all("content not readable" in f.detail for f in report.findings)


# --- configuration -----------------------------------------------------------------------------------

def test_configuration_precedence_environment_over_toml_over_defaults(tmp_path):
    """README: SOHOA_<NAME> overrides the TOML file ($SOHOA_CONFIG, else $SOHOA_HOME/sohoa.toml),
    which overrides the defaults."""
    from sohoa.core.config import Settings, load_settings

    home = tmp_path / "home"
    home.mkdir()
    (home / "sohoa.toml").write_text('review_threshold = 0.8\nmax_pages = 40\nunit = "Phòng A"\n', "utf-8")
    other = tmp_path / "elsewhere.toml"
    other.write_text("max_pages = 7\n", "utf-8")
    defaults = Settings()
    s = load_settings(env={"SOHOA_HOME": str(home)})
    assert (s.review_threshold, s.max_pages, s.unit) == (0.8, 40, "Phòng A")  # TOML over defaults
    assert s.max_file_bytes == defaults.max_file_bytes == 512 * 1024 * 1024  # untouched: the default
    s = load_settings(env={"SOHOA_HOME": str(home), "SOHOA_REVIEW_THRESHOLD": "0.95", "SOHOA_UNIT": "Phòng B"})
    assert (s.review_threshold, s.max_pages, s.unit) == (0.95, 40, "Phòng B")  # environment over TOML
    s = load_settings(env={"SOHOA_HOME": str(home), "SOHOA_CONFIG": str(other)})
    assert (s.max_pages, s.review_threshold, s.unit) == (7, defaults.review_threshold, defaults.unit)
    s = load_settings(env={"SOHOA_HOME": str(tmp_path / "bare")})
    assert (s.max_pages, s.review_threshold, s.max_page_pixels) == (500, 0.9, 400_000_000)


def test_max_pages_from_toml_and_environment_through_the_cli(tmp_path):
    """README: SOHOA_MAX_PAGES (default 500) is an intake limit; set in sohoa.toml it rejects a longer
    file, and the environment overrides the TOML (here: a stricter limit)."""
    from pdf_samples import text_pdf

    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "ba-trang.pdf").write_bytes(text_pdf([[(72, 700, f"Trang {i}")] for i in (1, 2, 3)]))
    home = tmp_path / "home"
    home.mkdir()
    (home / "sohoa.toml").write_text("max_pages = 2\n", "utf-8")

    def reason(**env) -> str:
        report = tmp_path / "report.json"
        run_sohoa(home, "process", "-q", str(batch), "--report", str(report), env=env)
        (doc,) = json.loads(report.read_text("utf-8"))["documents"]
        assert doc["status"] == "rejected"
        return doc["reason"]

    assert "too many pages: 3 over the limit of 2" in reason()
    assert "too many pages: 3 over the limit of 1" in reason(SOHOA_MAX_PAGES="1")
