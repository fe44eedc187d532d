"""Several persons in one document (contract v2, section 5): extraction of every
sentenced defendant, per-person reconciliation on a real catalogue, and the
migration of a catalogue written before persons existed."""
from __future__ import annotations

import datetime as dt

import pytest
from extract_helpers import read
from sohoa.archive.catalogue import Catalogue, alembic_config
from sohoa.archive.models import Document, Person, ReviewItem
from sohoa.core.enums import DocumentStatus
from sohoa.reconciler import reconcile
from sqlalchemy import select, text

A = dict(name="Nguyễn Văn An", pid="001090012345", birth="02 tháng 5 năm 1990")
B = dict(name="Trần Văn Bình", pid="001088054321", birth="11 tháng 9 năm 1988")
C = dict(name="Nguyễn Văn Anh", pid="001095011111", birth="20 tháng 1 năm 1995")


def judgment(defendants, operative, number="125/2024/HS-ST", level="sơ thẩm"):
    intro = []
    for i, d in enumerate(defendants, 1):
        intro.append(f"{i}. Bị cáo: {d['name']}, sinh ngày {d['birth']} tại Hà Nội; nơi cư trú: quận Cầu Giấy, "
                     f"thành phố Hà Nội; nghề nghiệp: lao động tự do; số định danh cá nhân: {d['pid']}. Có mặt.")
    return [
        ("TÒA ÁN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("QUẬN CẦU GIẤY", "Độc lập - Tự do - Hạnh phúc"),
        ("THÀNH PHỐ HÀ NỘI", None),
        ("Bản án số: " + number, None),
        ("Ngày: 18-3-2024", None),
        {"text": "NHÂN DANH", "align": "center"},
        {"text": "NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "align": "center"},
        {"text": "TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY, THÀNH PHỐ HÀ NỘI", "align": "center"},
        "- Thành phần Hội đồng xét xử gồm có: Thẩm phán - Chủ tọa phiên tòa: Ông Lê Văn Bình.",
        f"Ngày 18 tháng 3 năm 2024, tại trụ sở Tòa án nhân dân quận Cầu Giấy xét xử {level} công khai vụ án hình "
        "sự thụ lý số 100/2024/TLST-HS ngày 01 tháng 3 năm 2024 đối với các bị cáo:",
        *intro,
        {"text": "NỘI DUNG VỤ ÁN", "align": "center"},
        "Khoảng 14 giờ ngày 02/01/2024, các bị cáo lấy trộm 01 xe máy trị giá 25.000.000 đồng.",
        {"text": "NHẬN ĐỊNH CỦA TÒA ÁN", "align": "center"},
        "Hành vi của các bị cáo đã đủ yếu tố cấu thành tội Trộm cắp tài sản.",
        "Vì các lẽ trên,",
        {"text": "QUYẾT ĐỊNH:", "align": "center"},
        *operative,
        "Về án phí: Mỗi bị cáo phải chịu 200.000 đồng án phí hình sự sơ thẩm.",
        ("Nơi nhận:", "TM. HỘI ĐỒNG XÉT XỬ SƠ THẨM"),
        ("- VKSND quận Cầu Giấy;", "Thẩm phán - Chủ tọa phiên tòa"),
        (None, "Lê Văn Bình"),
    ]


def sentence(d, term, n=None):
    lead = f"{n}. " if n else ""
    return [f"{lead}Tuyên bố bị cáo {d['name']} phạm tội \"Trộm cắp tài sản\". Căn cứ khoản 1 Điều 173; "
            "điểm s khoản 1 Điều 51; Điều 38 Bộ luật Hình sự.",
            f"Xử phạt bị cáo {d['name']} {term} tù. Thời hạn chấp hành hình phạt tù tính từ ngày bắt thi hành án."]


def persons_of(ex):
    return [{k: f.value for k, f in p.items()} for p in ex.all_persons()]


def test_three_defendants_each_with_their_own_id_and_term():
    ex = read(judgment([A, B, C], sentence(A, "02 (hai) năm") + sentence(B, "30 (ba mươi) tháng")
                       + sentence(C, "18 (mười tám) tháng")))
    ps = persons_of(ex)
    assert [p["person_name"] for p in ps] == [A["name"], B["name"], C["name"]]
    assert [p["personal_id"] for p in ps] == [A["pid"], B["pid"], C["pid"]]
    assert [p["penalty_months"] for p in ps] == [24, 30, 18]
    assert [p["birth_date"] for p in ps] == ["1990-05-02", "1988-09-11", "1995-01-20"]
    assert all(p["charges"] == ["Trộm cắp tài sản"] and "173" in p["penal_code_articles"] for p in ps)
    # v1 view: the top-level fields are persons[0]'s
    assert ex.fields["personal_id"].value == A["pid"] and ex.fields["penalty_months"].value == 24
    # document fields stay out of persons
    assert all("document_number" not in p for p in ps)


def test_same_family_name_co_defendants_keep_their_own_terms():
    # 'Nguyễn Văn An' is a prefix of 'Nguyễn Văn Anh': each keeps his own sentence
    ex = read(judgment([A, C], sentence(A, "12 (mười hai) tháng") + sentence(C, "36 (ba mươi sáu) tháng")))
    ps = persons_of(ex)
    assert [(p["person_name"], p["penalty_months"]) for p in ps] == [(A["name"], 12), (C["name"], 36)]


def test_a_name_misread_once_is_not_a_further_defendant():
    # the operative part names B again with a letter misread: still two persons, not three
    op = sentence(A, "02 (hai) năm") + sentence(B, "30 (ba mươi) tháng") + [
        "Bị cáo Trẩần Văn Bình được quyền kháng cáo trong hạn 15 ngày kể từ ngày tuyên án."]
    assert [p["person_name"] for p in persons_of(read(judgment([A, B], op)))] == [A["name"], B["name"]]


def test_a_co_defendants_values_are_checked_as_the_first_persons_are():
    # 'ba' (three) years of probation, the digit misread '0': neither digits nor a 0-year probation pass
    op = sentence(A, "02 (hai) năm") + [
        f"Tuyên bố bị cáo {B['name']} phạm tội \"Trộm cắp tài sản\". Căn cứ khoản 1 Điều 173; Điều 65 Bộ luật Hình sự.",
        f"Xử phạt bị cáo {B['name']} 24 (hai mươi bốn) tháng tù nhưng cho hưởng án treo, "
        "thời gian thử thách là 0 (ba) năm."]
    second = read(judgment([A, B], op)).all_persons()[1]
    assert second["penalty_months"].value == 24
    assert second["probation_months"].confidence < 0.9


def test_acquitted_defendant_is_no_person():
    op = sentence(A, "02 (hai) năm") + [f"Tuyên bố bị cáo {B['name']} không phạm tội \"Trộm cắp tài sản\"."]
    ps = persons_of(read(judgment([A, B], op)))
    assert [p["person_name"] for p in ps] == [A["name"]]


def test_appeal_sentences_only_the_appellant():
    op = ([f"Chấp nhận kháng cáo của bị cáo {A['name']}, sửa Bản án hình sự sơ thẩm số 100/2023/HS-ST."]
          + sentence(A, "18 (mười tám) tháng")
          + [f"Các quyết định khác của bản án sơ thẩm đối với bị cáo {B['name']} không có kháng cáo, kháng nghị "
             "đã có hiệu lực pháp luật."])
    ps = persons_of(read(judgment([A, B], op, number="45/2024/HS-PT", level="phúc thẩm")))
    assert [p["person_name"] for p in ps] == [A["name"]]
    assert ps[0]["penalty_months"] == 18


def test_named_defendant_without_a_readable_sentence_goes_to_review_not_lost():
    op = sentence(A, "02 (hai) năm") + [f"Tuyên bố bị cáo {B['name']} phạm tội \"Trộm cắp tài sản\"."]
    ex = read(judgment([A, B], op))
    assert [p["person_name"].value for p in ex.all_persons()] == [A["name"], B["name"]]
    assert all(f.confidence <= 0.5 for f in ex.all_persons()[1].values())


def test_one_clause_sentencing_two_defendants_is_not_trusted_for_either():
    op = [f"Tuyên bố các bị cáo {A['name']}, {B['name']} phạm tội \"Trộm cắp tài sản\".",
          f"Xử phạt bị cáo {A['name']} và bị cáo {B['name']} mỗi bị cáo 02 (hai) năm tù."]
    ex = read(judgment([A, B], op))
    for p in ex.all_persons():
        assert "penalty_months" not in p or p["penalty_months"].confidence < 0.9


# --- reconciliation, on a real catalogue --------------------------------------------------------------------

def _records(cat, *recs):
    from sohoa.archive.models import RegistryRecord
    now = dt.datetime.now(dt.timezone.utc)
    with cat.session() as s:
        for r in recs:
            s.add(RegistryRecord(record_id=r["record_id"], doc_type=r["doc_type"],
                                 document_number=r.get("document_number"), personal_id=r.get("personal_id"),
                                 passport_number=r.get("passport_number"), issue_date=r.get("issue_date"),
                                 data=r, imported_at=now, updated_at=now))


def _document(cat, doc_id="D1"):
    from sohoa.archive.models import Batch
    now = dt.datetime.now(dt.timezone.utc)
    with cat.session() as s:
        if s.get(Batch, "B1") is None:
            s.add(Batch(batch_id="B1", source_dir="/x", started_at=now))
            s.flush()
        s.add(Document(document_id=doc_id, content_sha256=doc_id * 8, batch_id="B1", source=f"{doc_id}.pdf",
                       source_kind="pdf_image", page_count=3, doc_type="judgment", status="pending",
                       converted_at=now, created_at=now, updated_at=now))


DOC = {"document_number": ("125/2024/HS-ST", 0.99), "issue_date": ("2024-03-18", 0.99),
       "trial_level": ("ST", 0.99), "issuer": ("Tòa án nhân dân quận Cầu Giấy", 0.99)}
REC = {"doc_type": "judgment", "document_number": "125/2024/HS-ST", "issue_date": "2024-03-18", "trial_level": "ST",
       "issuer": "Tòa án nhân dân quận Cầu Giấy", "charges": ["Trộm cắp tài sản"],
       "principal_penalty": "imprisonment"}


def _person(d, months):
    return {"person_name": (d["name"], 0.99), "personal_id": (d["pid"], 0.99), "penalty_months": (months, 0.99),
            "charges": (["Trộm cắp tài sản"], 0.99), "principal_penalty": ("imprisonment", 0.99)}


@pytest.fixture
def cat(catalogue_url):
    c = Catalogue(catalogue_url)
    yield c
    c.dispose()


def test_each_person_is_linked_to_their_own_record_and_the_worst_status_wins(cat):
    # the registry lists B first: linking is by person, never by order
    _records(cat, {**REC, "record_id": "R2", "person_name": B["name"], "personal_id": B["pid"], "penalty_months": 12},
             {**REC, "record_id": "R1", "person_name": A["name"], "personal_id": A["pid"], "penalty_months": 24})
    _document(cat)
    persons = [_person(A, 24), _person(B, 18)]
    with cat.session() as s:
        doc = s.get(Document, "D1")
        out = reconcile(s, doc, {**DOC, **persons[0]}, 0.9, persons)
        assert [p.record_id for p in out.persons] == ["R1", "R2"]
        assert [p.status for p in out.persons] == [DocumentStatus.MATCHED, DocumentStatus.MISMATCH]
        assert out.persons[1].discrepancies == [{"field": "penalty_months", "document_value": 18,
                                                 "registry_value": 12}]
        assert out.status == DocumentStatus.MISMATCH and out.record_id == "R1" and out.discrepancies == []
    with cat.session() as s:
        rows = s.scalars(select(Person).where(Person.document_id == "D1").order_by(Person.ordinal)).all()
        assert [(r.registry_record_id, r.personal_id, r.status) for r in rows] == [
            ("R1", A["pid"], "matched"), ("R2", B["pid"], "mismatch")]
        items = s.scalars(select(ReviewItem).where(ReviewItem.document_id == "D1")).all()
        assert [(i.person, i.kind, i.field) for i in items] == [(1, "discrepancy", "penalty_months")]


def test_a_person_without_a_record_is_unmatched_without_taking_a_neighbours(cat):
    _records(cat, {**REC, "record_id": "R1", "person_name": A["name"], "personal_id": A["pid"], "penalty_months": 24})
    _document(cat)
    persons = [_person(A, 24), _person(B, 30)]
    with cat.session() as s:
        out = reconcile(s, s.get(Document, "D1"), {**DOC, **persons[0]}, 0.9, persons)
        assert [p.record_id for p in out.persons] == ["R1", None]
        assert out.status == DocumentStatus.UNMATCHED
        assert [(i.person, i.kind) for i in s.scalars(select(ReviewItem))] == [(1, "unmatched")]


def test_a_foreigner_is_matched_by_passport(cat):
    foreigner = {"person_name": ("Sok Dara", 0.99), "passport_number": ("N01234567", 0.99),
                 "penalty_months": (22, 0.99), "principal_penalty": ("imprisonment", 0.99),
                 "charges": (["Trộm cắp tài sản"], 0.99)}
    _records(cat, {**REC, "record_id": "R1", "person_name": A["name"], "personal_id": A["pid"], "penalty_months": 24},
             {**REC, "record_id": "R9", "person_name": "Sok Dara", "passport_number": "N01234567",
              "penalty_months": 22})
    _document(cat)
    persons = [_person(A, 24), foreigner]
    with cat.session() as s:
        out = reconcile(s, s.get(Document, "D1"), {**DOC, **persons[0]}, 0.9, persons)
        assert [p.record_id for p in out.persons] == ["R1", "R9"] and out.status == DocumentStatus.MATCHED


def test_two_equally_likely_records_are_left_for_a_person(cat):
    # two co-defendants with the same name and no ID read: nobody is linked by guess
    twin = {"person_name": (A["name"], 0.99), "penalty_months": (24, 0.99)}
    _records(cat, {**REC, "record_id": "R1", "person_name": A["name"], "personal_id": A["pid"]},
             {**REC, "record_id": "R2", "person_name": A["name"], "personal_id": "001099099999"})
    _document(cat)
    with cat.session() as s:
        out = reconcile(s, s.get(Document, "D1"), {**DOC, **twin}, 0.9, [twin, dict(twin)])
        assert [p.record_id for p in out.persons] == [None, None]


# --- migration of a catalogue written before persons ---------------------------------------------------------

def test_migration_gives_existing_documents_their_person(catalogue_url):
    from alembic import command
    from sqlalchemy import create_engine

    engine = create_engine(catalogue_url)
    cfg = alembic_config(catalogue_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO registry_records (record_id, doc_type, document_number, personal_id, "
                          "issue_date, data, imported_at, updated_at) VALUES ('R1', 'judgment', '1/2024/HS-ST', "
                          "NULL, '2024-01-01', :d, :t, :t)"),
                     {"d": '{"record_id": "R1", "passport_number": "N0001"}', "t": now})
        conn.execute(text("INSERT INTO batches (batch_id, source_dir, status, total, done, started_at) "
                          "VALUES ('B', '/x', 'done', 1, 1, :t)"), {"t": now})
        conn.execute(text("INSERT INTO documents (document_id, content_sha256, batch_id, source, source_kind, "
                          "page_count, ocr_used, doc_type, doc_type_confidence, status, registry_record_id, "
                          "converted_at, created_at, updated_at) VALUES ('D1', :h, 'B', 'a.pdf', 'pdf_image', 1, "
                          ":true, 'judgment', 0.99, 'mismatch', 'R1', :t, :t, :t)"),
                     {"h": "a" * 64, "t": now, "true": True})
        for name, value in (("person_name", '"Nguyễn Văn An"'), ("personal_id", '"001090012345"'),
                            ("penalty_months", "24"), ("document_number", '"1/2024/HS-ST"')):
            conn.execute(text("INSERT INTO fields (document_id, name, value, confidence, page) "
                              "VALUES ('D1', :n, :v, 0.95, 1)"), {"n": name, "v": value})
        conn.execute(text("INSERT INTO review_items (document_id, record_id, kind, field, document_value, "
                          "registry_value, confidence, status, created_at, due_at) VALUES ('D1', 'R1', "
                          "'discrepancy', 'penalty_months', '24', '30', 0.95, 'open', :t, :t)"), {"t": now})
    engine.dispose()
    cat = Catalogue(catalogue_url)  # migrates to head
    try:
        with cat.session() as s:
            (p,) = s.scalars(select(Person)).all()
            assert (p.document_id, p.ordinal, p.personal_id, p.registry_record_id, p.status) == (
                "D1", 0, "001090012345", "R1", "mismatch")
            assert p.discrepancies == [{"field": "penalty_months", "document_value": 24, "registry_value": 30}]
            assert {f.name: f.value for f in p.fields} == {"person_name": "Nguyễn Văn An",
                                                             "personal_id": "001090012345", "penalty_months": 24}
            assert [i.person for i in s.scalars(select(ReviewItem))] == [0]
            from sohoa.archive.models import RegistryRecord
            assert s.get(RegistryRecord, "R1").passport_number == "N0001"
    finally:
        cat.dispose()


# --- a person's timeline -------------------------------------------------------------------------------------

def _archived(cat, doc_id, doc_type, doc_fields, persons, issue_date):
    """A catalogued document with its persons (as the pipeline writes them)."""
    from sohoa.archive.models import Batch, FieldValue, PersonField, StoredObject
    now = dt.datetime.now(dt.timezone.utc)
    with cat.session() as s:
        if s.get(Batch, "B1") is None:
            s.add(Batch(batch_id="B1", source_dir="/x", started_at=now))
            s.flush()
        s.add(Document(document_id=doc_id, content_sha256=(doc_id * 64)[:64], batch_id="B1", source=f"{doc_id}.pdf",
                       source_kind="pdf_image", page_count=1, doc_type=doc_type, status="matched",
                       converted_at=now, created_at=now, updated_at=now))
        s.flush()
        for name, value in {**doc_fields, "issue_date": issue_date, **persons[0]}.items():
            s.add(FieldValue(document_id=doc_id, name=name, value=value, confidence=0.99))
        for i, fields in enumerate(persons):
            p = Person(document_id=doc_id, ordinal=i, person_name=fields.get("person_name"),
                       personal_id=fields.get("personal_id"), passport_number=fields.get("passport_number"),
                       status="matched", discrepancies=[])
            s.add(p)
            s.flush()
            for name, value in fields.items():
                s.add(PersonField(person_id=p.id, name=name, value=value, confidence=0.99))
        s.add(StoredObject(document_id=doc_id, role="signed", bucket="sohoa-archive", key=f"x/{doc_id}.pdf",
                           version_id="v1", sha256="0" * 64, size=1, created_at=now))


def test_timeline_lists_a_persons_documents_in_order_and_flags_what_does_not_add_up(cat):
    from sohoa.reconciler.timeline import person_timeline

    a = {"person_name": A["name"], "personal_id": A["pid"]}
    b = {"person_name": B["name"], "personal_id": B["pid"]}
    # B is the first person of the judgment, A the second: A's timeline has A's own term
    _archived(cat, "DJ", "judgment", {"document_number": "125/2024/HS-ST", "trial_level": "ST"},
              [{**b, "penalty_months": 12}, {**a, "penalty_months": 24}], "2024-03-18")
    _archived(cat, "DX", "decision", {"document_number": "7/2024/QĐ-CA", "decision_kind": "execute_sentence",
                                      "judgment_ref": "125/2024/HS-ST"}, [{**a, "penalty_months": 30}], "2024-05-02")
    _archived(cat, "DE", "certificate", {"document_number": "9/2025/GCN", "decision_kind": "expunge"}, [a],
              "2025-01-10")
    _archived(cat, "DC", "certificate", {"document_number": "3/2026/GCN", "decision_kind": "completion",
                                         "judgment_ref": "999/2020/HS-ST"}, [a], "2026-02-01")
    with cat.session() as s:
        t = person_timeline(s, A["pid"])
        assert t is not None and t.person_name == A["name"]
        assert [e.document_id for e in t.entries] == ["DJ", "DX", "DE", "DC"]
        assert t.entries[0].penalty_months == 24 and t.entries[0].signed["key"] == "x/DJ.pdf"
        assert {f["kind"] for f in t.flags} == {"penalty_differs", "expungement_before_completion",
                                               "completion_without_judgment"}
        assert [e.document_id for e in person_timeline(s, B["pid"]).entries] == ["DJ"]
        assert person_timeline(s, "001000000000") is None


# --- verifiers' fixes: a missed person, two persons mixed up ------------------------------------------------

def test_a_missed_person_added_and_a_mix_up_swapped_are_reconciled_again(cat):
    from sohoa.reconciler.amend import AmendError, add_person, rereconcile, swap_fields

    _records(cat, {**REC, "record_id": "R1", "person_name": A["name"], "personal_id": A["pid"], "penalty_months": 24},
             {**REC, "record_id": "R2", "person_name": B["name"], "personal_id": B["pid"], "penalty_months": 30},
             {**REC, "record_id": "R3", "person_name": C["name"], "personal_id": C["pid"], "penalty_months": 18})
    # the extractor gave A's term to B and B's to A, and missed C
    read_persons = [{k: v for k, (v, _) in _person(d, m).items()} for d, m in ((A, 30), (B, 24))]
    _archived(cat, "D1", "judgment", {k: v for k, (v, _) in DOC.items() if k != "issue_date"}, read_persons,
              "2024-03-18")
    with cat.session() as s:
        out = rereconcile(s, s.get(Document, "D1"), 0.9)
        assert [p.status for p in out.persons] == ["mismatch", "mismatch"]
    with cat.session() as s:
        swap_fields(s, "D1", 0, 1, ["penalty_months"], 0.9)
        add_person(s, "D1", {"person_name": C["name"], "personal_id": C["pid"], "penalty_months": 18,
                             "charges": ["Trộm cắp tài sản"], "principal_penalty": "imprisonment"}, 0.9)
        with pytest.raises(AmendError):
            swap_fields(s, "D1", 0, 7, ["penalty_months"], 0.9)
        with pytest.raises(AmendError):
            add_person(s, "D1", {"document_number": "1/2024/HS-ST"}, 0.9)
    with cat.session() as s:
        doc = s.get(Document, "D1")
        rows = sorted(doc.persons, key=lambda p: p.ordinal)
        assert [(p.registry_record_id, p.status) for p in rows] == [("R1", "matched"), ("R2", "matched"),
                                                                      ("R3", "matched")]
        assert doc.status == "matched"
        assert {f.name: f.value for f in doc.fields}["penalty_months"] == 24  # the v1 view follows persons[0]
        open_items = [i for i in s.scalars(select(ReviewItem)) if i.status == "open"]
        assert open_items == []
