"""Evidence fusion (issue 15, contract section 4): the linked registry record confirms a value
read with low confidence only where the read is evidence, and never when the record's value could
be the very slip the read could be (a registry typo equal to a likely misread)."""
from __future__ import annotations

import json

import jsonschema
import pytest
from sohoa.archive.catalogue import Catalogue
from sohoa.archive.models import Document, FieldValue, Person, PersonField, RegistryRecord, ReviewItem
from sohoa.core.types import ExtractedField
from sohoa.reconciler import decide
from sohoa.reconciler.amend import rereconcile
from sohoa.reconciler.confirm import READ_FLOOR, confirmed_confidence
from sohoa.reconciler.match import score
from sohoa.reconciler.registry import import_registry
from test_reconciler import REC, _doc, _write

CLEAN = {**{k: ExtractedField(v, 0.99) for k, v in REC.items() if k not in ("record_id", "doc_type")},
         "trial_level": ExtractedField("ST", 0.99)}
TONED = {**REC, "person_name": "Nguyễn Văn Tỵ"}  # the paper says 'Tỵ'
TYPO = {**TONED, "person_name": "Nguyễn Văn Ty"}  # a registry typist dropped the tone mark


def test_a_clean_read_the_record_agrees_with_is_confirmed():
    read = {**CLEAN, "penalty_months": ExtractedField(24, 0.7)}
    r = decide("judgment", read, REC, 0.9)
    assert r.status == "matched" and r.low_confidence == []
    assert 0.9 <= r.confirmed["penalty_months"] <= 0.99


def test_a_guess_is_not_confirmed():
    read = {**CLEAN, "penalty_months": ExtractedField(24, READ_FLOOR - 0.01)}
    r = decide("judgment", read, REC, 0.9)
    assert r.status == "needs_review" and r.confirmed == {}


@pytest.mark.parametrize("read", [
    # OCR dropped the tone mark and knew its characters were weak
    ExtractedField("Nguyễn Văn Ty", 0.8, doubtful=True),
    # ... or a second read / another anchor saw 'Tỵ' and the read could not rule it out
    ExtractedField("Nguyễn Văn Ty", 0.8, alternatives=("Nguyễn Văn Tỵ",)),
])
def test_a_registry_typo_equal_to_a_likely_misread_does_not_confirm(read):
    """The record says 'Ty' by a typo, the scan was read 'Ty' by a slip of the same kind: two
    wrong sources agreeing. Confirming would make a silent error; it must go to a person."""
    r = decide("judgment", {**CLEAN, "person_name": read}, TYPO, 0.9)
    assert "person_name" not in r.confirmed
    assert r.status == "needs_review" and r.low_confidence == ["person_name"]


def test_a_far_alternative_does_not_stop_the_confirmation():
    """A losing anchor's value that is no slip away (another date of the text) is a question the
    record answers."""
    read = ExtractedField("2024-03-18", 0.75, alternatives=("2023-11-02",))
    r = decide("judgment", {**CLEAN, "issue_date": read}, REC, 0.9)
    assert "issue_date" in r.confirmed and r.status == "matched"


def test_a_digit_alternative_one_off_stops_it():
    read = ExtractedField("001090012345", 0.8, alternatives=("001090012346",))
    r = decide("judgment", {**CLEAN, "personal_id": read}, REC, 0.9)
    assert "personal_id" not in r.confirmed and r.status == "needs_review"


def test_the_field_that_made_the_link_cannot_confirm_itself():
    """Agreement with a record matched through *other* fields: a record found by its document
    number alone does not confirm that document number."""
    sparse = {"doc_type": "judgment", "document_number": "125/2024/HS-ST"}
    values = {"doc_type": "judgment", "document_number": "125/2024/HS-ST"}
    number = ExtractedField("125/2024/HS-ST", 0.8)
    assert confirmed_confidence("document_number", number, sparse, score(values, sparse)) is None
    full = {k: v.value for k, v in CLEAN.items()} | {"doc_type": "judgment"}
    assert confirmed_confidence("document_number", number, REC, score(full, REC)) is not None


def test_a_disagreeing_record_confirms_nothing():
    r = decide("judgment", {**CLEAN, "penalty_months": ExtractedField(30, 0.7)}, REC, 0.9)
    assert r.confirmed == {} and r.status == "needs_review" and r.low_confidence == ["penalty_months"]


@pytest.fixture
def cat(catalogue_url):
    c = Catalogue(catalogue_url)
    yield c
    c.dispose()


def _catalogue_reads(s, doc: Document, reads: dict[str, ExtractedField]) -> None:
    person = Person(document_id=doc.document_id, ordinal=0, status="pending", discrepancies=[])
    s.add(person)
    s.flush()
    for name, f in reads.items():
        s.add(FieldValue(document_id=doc.document_id, name=name, value=f.value, confidence=f.confidence,
                         read_evidence=f.read_evidence()))
        if name in ("person_name", "birth_date", "personal_id", "charges", "penal_code_articles",
                    "principal_penalty", "penalty_months"):
            s.add(PersonField(person_id=person.id, name=name, value=f.value, confidence=f.confidence,
                              read_evidence=f.read_evidence()))
    s.flush()
    s.refresh(doc)


def test_catalogue_keeps_the_evidence_and_the_report_says_confirmed_by(cat, tmp_path, report_schema):
    """Through the catalogue (the path re-runs and verifiers' fixes take): the read's doubt is
    kept, the confirmation is stored and reported, and withdrawn when the record changes."""
    from sohoa.pipeline.orchestrate import _field_reports

    import_registry(cat, _write(tmp_path / "r.jsonl", [TYPO]), actor="t")
    reads = {**CLEAN, "person_name": ExtractedField("Nguyễn Văn Ty", 0.8, doubtful=True),
             "penalty_months": ExtractedField(24, 0.7)}
    with cat.session() as s:
        doc = _doc(s)
        _catalogue_reads(s, doc, reads)
        out = rereconcile(s, doc, 0.9)
        assert out.record_id == "R000123" and out.status == "needs_review"
        fields = _field_reports(doc.fields)
        assert fields["penalty_months"]["confirmed_by"] == "registry" and fields["penalty_months"]["confidence"] >= 0.9
        assert "confirmed_by" not in fields["person_name"] and fields["person_name"]["confidence"] == 0.8
        person = _field_reports(doc.persons[0].fields)
        assert person["penalty_months"]["confirmed_by"] == "registry"
        # the verifier sees that the record agrees, and that the scan must decide
        item = s.query(ReviewItem).filter_by(kind="low_confidence", field="person_name").one()
        assert (item.document_value, item.registry_value) == ("Nguyễn Văn Ty", "Nguyễn Văn Ty")
        doc_report = {"source": "a.pdf", "document_id": doc.document_id, "status": str(out.status),
                      "doc_type": "judgment", "fields": fields, "registry_record_id": out.record_id,
                      "discrepancies": [], "persons": [{"fields": person, "registry_record_id": out.record_id,
                                                        "status": str(out.status), "discrepancies": []}]}
        jsonschema.validate({"batch_id": "b", "review_threshold": 0.9, "documents": [doc_report],
                             "unmatched_registry": []}, report_schema)

        # the record's penalty is changed to something else: no agreement, no confirmation
        rec = s.get(RegistryRecord, "R000123")
        rec.data = {**rec.data, "penalty_months": 30}
        s.flush()
        rereconcile(s, doc, 0.9)
        fields = _field_reports(doc.fields)
        assert "confirmed_by" not in fields["penalty_months"] and fields["penalty_months"]["confidence"] == 0.7
        evidence = s.query(FieldValue).filter_by(name="person_name").one().read_evidence
        assert json.loads(json.dumps(evidence)) == {"alternatives": [], "doubtful": True}


def test_an_uncertain_read_that_disagrees_is_a_question_not_a_discrepancy():
    """'27' read at 0.7 where the record says '24' (one digit: the read may have slipped), or '36'
    (far): which side is wrong the scan decides, through the field's low-confidence item that shows
    both values (issue 15: "on an uncertain field a review item that says so") -- not a
    discrepancy that claims the record is wrong."""
    for read in (27, 36):
        r = decide("judgment", {**CLEAN, "penalty_months": ExtractedField(read, 0.7)}, REC, 0.9)
        assert r.discrepancies == [] and r.low_confidence == ["penalty_months"] and r.status == "needs_review"


def test_a_confident_disagreement_is_a_discrepancy():
    confident = decide("judgment", {**CLEAN, "penalty_months": ExtractedField(27, 0.97)}, REC, 0.9)
    assert confident.discrepancies == [{"field": "penalty_months", "document_value": 27, "registry_value": 24}]
    assert confident.status == "mismatch"


def test_the_low_confidence_item_shows_the_record_value(cat, tmp_path):
    import_registry(cat, _write(tmp_path / "r.jsonl", [REC]), actor="t")
    with cat.session() as s:
        doc = _doc(s)
        _catalogue_reads(s, doc, {**CLEAN, "penalty_months": ExtractedField(27, 0.7)})
        out = rereconcile(s, doc, 0.9)
        assert out.status == "needs_review" and out.discrepancies == []
        item = s.query(ReviewItem).filter_by(kind="low_confidence", field="penalty_months").one()
        assert (item.document_value, item.registry_value) == (27, 24)


def test_a_picked_category_is_confirmed_even_when_its_words_were_read_weakly():
    """A decision's kind is picked from a list in the registry, not typed: weak OCR of its title
    is no slip the registry can share, so the record's agreement confirms it; a typed field read
    as weakly is not confirmed."""
    dec = {"record_id": "R7", "doc_type": "decision", "decision_kind": "parole", "document_number": "12/QĐ-CA",
           "issue_date": "2024-05-02", "person_name": "Lê Văn Tám", "personal_id": "001090099999",
           "issuer": "Công an tỉnh Nam Định", "judgment_ref": "30/2022/HS-ST", "probation_months": 24}
    read = {k: ExtractedField(v, 0.98) for k, v in dec.items() if k not in ("record_id", "doc_type")}
    kind = decide("decision", {**read, "decision_kind": ExtractedField("parole", 0.75, doubtful=True)}, dec, 0.9)
    assert "decision_kind" in kind.confirmed and kind.status == "matched"
    number = decide("decision", {**read, "document_number": ExtractedField("12/QĐ-CA", 0.75, doubtful=True)}, dec, 0.9)
    assert "document_number" not in number.confirmed and number.status == "needs_review"


def test_a_record_of_another_kind_is_a_discrepancy_on_the_kind():
    """The kind is classified, not read as a field: a linked record of another kind disagrees on it."""
    rec = {**REC, "doc_type": "decision"}
    r = decide("judgment", CLEAN, rec, 0.9)
    assert {"field": "doc_type", "document_value": "judgment", "registry_value": "decision"} in r.discrepancies


def test_a_strict_unit_lets_no_record_confirm():
    """Settings.registry_confirms = false: every read below the threshold goes to a person."""
    from sohoa.core.config import load_settings

    assert load_settings(env={"SOHOA_REGISTRY_CONFIRMS": "false"}).registry_confirms is False
    read = {**CLEAN, "penalty_months": ExtractedField(24, 0.7)}
    strict = decide("judgment", read, REC, 0.9, confirm=False)
    assert strict.confirmed == {} and strict.low_confidence == ["penalty_months"]
    assert decide("judgment", read, REC, 0.9).confirmed


def test_a_record_confirms_only_what_it_compared():
    """Agreement ignores General Part articles and a year-only birth date's day: a record holding
    ['174', '51', '38'] agrees with ['174', '3', '51'] read ('38' lost a digit) and must not lift
    it (floor corpus 2718: reported at 0.98, 'confirmed'); the same for a full birth date read
    where the record keeps only the year."""
    rec = {**REC, "penal_code_articles": ["174", "51", "38"], "birth_date": "1990"}
    read = {**CLEAN, "penal_code_articles": ExtractedField(["174", "3", "51"], 0.7),
            "birth_date": ExtractedField("1990-05-02", 0.7)}
    r = decide("judgment", read, rec, 0.9)
    assert "penal_code_articles" not in r.confirmed and "birth_date" not in r.confirmed
    whole = {**read, "penal_code_articles": ExtractedField(["174", "51"], 0.7)}
    assert "penal_code_articles" in decide("judgment", whole, rec, 0.9).confirmed  # a subset the record holds
