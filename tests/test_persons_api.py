"""Persons through the service API (contract v2): a co-defendant's documents found by
their personal ID, every person in a document's record (masked per scope), a
person's timeline with links and flags. Real catalogue, real signed document."""
from __future__ import annotations

from datetime import datetime, timezone

from sohoa.archive.models import Document, FieldValue, Person, PersonField, StoredObject
from test_api import DOC_A, PID, env, signed  # noqa: F401  (fixtures)

CO_PID = "001088054321"
PASSPORT = "N01234567"


def _co_defendants(env) -> None:
    """DOC_A's judgment sentences a second person (a co-defendant) and a foreigner;
    a later execution decision for the co-defendant disagrees on the term."""
    now = datetime.now(timezone.utc)
    dx = "D" + "c3" * 12
    ref = env.rt.store.put(env.rt.bucket, f"decisions/2024/{dx}.pdf", env.pdf, {"document-id": dx})
    with env.rt.catalogue.session() as s:
        people = [({"person_name": "Nguyễn Văn An", "personal_id": PID, "penalty_months": 24}, "matched"),
                  ({"person_name": "Trần Văn Bình", "personal_id": CO_PID, "penalty_months": 30}, "mismatch"),
                  ({"person_name": "Sok Dara", "passport_number": PASSPORT, "penalty_months": 22}, "matched")]
        for i, (fields, status) in enumerate(people):
            p = Person(document_id=DOC_A, ordinal=i, person_name=fields["person_name"],
                       personal_id=fields.get("personal_id"), passport_number=fields.get("passport_number"),
                       status=status, discrepancies=[{"field": "penalty_months", "document_value": 30,
                                                      "registry_value": 24}] if status == "mismatch" else [])
            s.add(p)
            s.flush()
            for name, value in fields.items():
                s.add(PersonField(person_id=p.id, name=name, value=value, confidence=0.97, page=1))
        s.add(FieldValue(document_id=DOC_A, name="trial_level", value="ST", confidence=0.99))
        s.add(Document(document_id=dx, content_sha256="c" * 64, batch_id="B-API", source="qd.pdf",
                       source_kind="pdf_text", page_count=1, ocr_used=False, doc_type="decision",
                       doc_type_confidence=0.99, status="matched", converted_at=now, created_at=now, updated_at=now))
        s.flush()
        s.add(StoredObject(document_id=dx, role="signed", bucket=ref.bucket, key=ref.key, version_id=ref.version_id,
                           sha256=ref.sha256, size=ref.size, created_at=now))
        for name, value in {"document_number": "9/2024/QĐ-CA", "issue_date": "2024-06-01",
                            "decision_kind": "execute_sentence", "judgment_ref": "125/2024/HS-ST"}.items():
            s.add(FieldValue(document_id=dx, name=name, value=value, confidence=0.99))
        p = Person(document_id=dx, ordinal=0, person_name="Trần Văn Bình", personal_id=CO_PID, status="matched",
                   discrepancies=[])
        s.add(p)
        s.flush()
        for name, value in {"person_name": "Trần Văn Bình", "personal_id": CO_PID, "penalty_months": 36}.items():
            s.add(PersonField(person_id=p.id, name=name, value=value, confidence=0.97))


def test_a_co_defendant_and_a_foreigner_find_the_judgment(env):
    _co_defendants(env)
    tok = env.token("court-system", "read", "read_personal")
    found = env.get("/documents", tok, params={"personal_id": CO_PID}).json()
    assert DOC_A in {d["document_id"] for d in found["documents"]}
    found = env.get("/documents", tok, params={"passport_number": PASSPORT}).json()
    assert [d["document_id"] for d in found["documents"]] == [DOC_A]
    ev = env.last()
    assert ev.detail["query"] == {"passport_number": "N012*****"} or PASSPORT not in str(ev.detail)
    reader = env.token("statistics", "read")
    assert env.get("/documents", reader, params={"passport_number": PASSPORT}).status_code == 403


def test_a_documents_record_lists_every_person_masked_per_scope(env):
    _co_defendants(env)
    full = env.get(f"/documents/{DOC_A}", env.token("court-system", "read", "read_personal")).json()
    assert [(p["ordinal"], p["fields"]["person_name"]["value"], p["status"]) for p in full["persons"]] == [
        (0, "Nguyễn Văn An", "matched"), (1, "Trần Văn Bình", "mismatch"), (2, "Sok Dara", "matched")]
    assert full["persons"][1]["fields"]["personal_id"]["value"] == CO_PID
    assert full["persons"][1]["links"] == {"timeline": f"/persons/{CO_PID}"}
    masked = env.get(f"/documents/{DOC_A}", env.token("statistics", "read")).json()
    assert CO_PID not in str(masked) and PASSPORT not in str(masked)
    assert masked["persons"][1]["fields"]["personal_id"]["value"] != CO_PID


def test_a_persons_timeline_in_time_order_with_links_and_flags(env):
    _co_defendants(env)
    tok = env.token("court-system", "read", "read_personal")
    r = env.get(f"/persons/{CO_PID}", tok)
    assert r.status_code == 200
    t = r.json()
    assert t["person_name"] == "Trần Văn Bình"
    assert [(d["doc_type"], d["penalty_months"]) for d in t["documents"]] == [("judgment", 30), ("decision", 36)]
    assert t["documents"][0]["links"]["original"] == f"/documents/{DOC_A}/original"
    assert [f["kind"] for f in t["flags"]] == ["penalty_differs"]
    ev = env.last()
    assert ev.action == "api.person.timeline" and CO_PID not in str(ev.detail) and CO_PID not in ev.object
    assert env.get(f"/persons/{PASSPORT}", tok).json()["person_name"] == "Sok Dara"
    assert env.get("/persons/079123456789", tok).status_code == 404
    assert env.get(f"/persons/{CO_PID}", env.token("statistics", "read")).status_code == 403
    assert env.get("/persons/' OR 1=1 --", tok).status_code in (404, 422)
