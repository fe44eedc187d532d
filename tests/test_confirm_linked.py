"""Evidence fusion weighs what agreement with the *linked* record is worth (issue 15, item 2), and
a decision is matched only with what it decides read (item 3: required fields per kind).

A wrong read agrees with the document's own record only when the record is wrong alike: for a
trial level (two values) that is the record's error rate, not the four in five a stranger's record
agrees by. A record linked on little is weighed as possibly a stranger's."""
from __future__ import annotations

from sohoa.core.types import ExtractedField
from sohoa.reconciler import decide, required_fields
from sohoa.reconciler.confirm import REGISTRY_RIGHT, chance_agreement
from test_confirm import CLEAN, REC

DECISION = {"record_id": "R9", "doc_type": "decision", "decision_kind": "reduce", "document_number": "57/QĐ-CA",
            "issue_date": "2024-05-02", "issuer": "Tòa án nhân dân tỉnh Nam Định", "person_name": "Lê Văn Tám",
            "personal_id": "001090099999", "judgment_ref": "30/2022/HS-ST", "duration_months": 6}


def test_a_category_read_uncertainly_is_confirmed_by_its_own_record():
    """'ST' read at 0.84 (the title's words weak), the record linked on number, date, court and
    person says 'ST': a wrong trial level would agree only if the record were wrong too."""
    read = {**CLEAN, "trial_level": ExtractedField("ST", 0.84)}
    r = decide("judgment", read, {**REC, "trial_level": "ST"}, 0.9)
    assert "trial_level" in r.confirmed and r.status == "matched"


def test_chance_agreement_is_a_strangers_only_when_the_link_is_weak():
    strong, weak = chance_agreement("trial_level", 40.0), chance_agreement("trial_level", 0.0)
    assert strong is not None and weak is not None
    assert abs(strong - (1 - REGISTRY_RIGHT)) < 1e-6  # the record's own error, nothing of u
    assert weak > 0.5  # linked on nothing: a stranger's record agrees four times in five
    assert chance_agreement("not_a_field", 40.0) is None


def test_a_disagreeing_category_is_still_a_question():
    read = {**CLEAN, "trial_level": ExtractedField("PT", 0.84)}
    r = decide("judgment", read, {**REC, "trial_level": "ST"}, 0.9)
    assert r.confirmed == {} and r.low_confidence == ["trial_level"] and r.discrepancies == []


def test_a_decision_without_the_term_it_sets_is_not_matched():
    """A reduction's term not read: the record's term, right or wrong, has nothing to agree with."""
    read = {k: ExtractedField(v, 0.98) for k, v in DECISION.items() if k not in ("record_id", "doc_type")}
    assert decide("decision", read, DECISION, 0.9).status == "matched"
    for lost in ("duration_months", "judgment_ref"):
        r = decide("decision", {k: v for k, v in read.items() if k != lost}, DECISION, 0.9)
        assert r.status == "needs_review" and r.missing == [lost]


def test_required_fields_by_decision_kind():
    assert "probation_months" in required_fields("decision", {"decision_kind": "parole"})
    assert "duration_months" not in required_fields("decision", {"decision_kind": "exempt"})
    assert "judgment_ref" in required_fields("certificate", {"decision_kind": "expunge"})


def test_a_weak_label_word_is_no_doubt_about_the_figures():
    """'21 tháNg 2 năm 2024': the month's label read at 0.42, the figures at 0.93-0.97. The doubt
    that stops a record's confirmation is about the value's characters; a weak figure still is."""
    from sohoa.core.types import Word
    from sohoa.pipeline.extract.confidence import Candidate, to_field
    from sohoa.pipeline.extract.layout import Span

    def words(*reads: tuple[str, float]) -> list[Word]:
        return [Word(t, c, (10.0 * i, 0.0, 10.0 * i + 8, 10.0), 1, 1) for i, (t, c) in enumerate(reads)]

    label = words(("21", 0.93), ("tháNg", 0.42), ("2", 0.97), ("năm", 0.97), ("2024", 0.93))
    assert not to_field("issue_date", Candidate("2024-02-21", 0.7, Span(label, 1), "header")).doubtful
    figure = words(("21", 0.93), ("tháng", 0.97), ("2", 0.55), ("năm", 0.97), ("2024", 0.93))
    assert to_field("issue_date", Candidate("2024-02-21", 0.7, Span(figure, 1), "header")).doubtful
    name = words(("VŨ", 0.45), ("QUỐC", 0.96), ("HÙNG,", 0.96))
    assert to_field("person_name", Candidate("Vũ Quốc Hùng", 0.7, Span(name, 1), "intro")).doubtful
    spoken = words(("hai", 0.5), ("năm", 0.97))  # a term read from its words: they are its figure
    assert to_field("penalty_months", Candidate(24, 0.7, Span(spoken, 1), "term")).doubtful


def test_a_record_with_the_mark_the_read_lacks_is_a_question_not_a_discrepancy():
    """'Ty' read at 0.97, the record says 'Tỵ': OCR loses a dot below far more often than a typist
    adds one, so the scan decides (a low-confidence item showing the record's value); the other
    way round -- the record lacks the read's mark, a typist's slip -- it is a discrepancy."""
    from test_confirm import TONED, TYPO

    lost = decide("judgment", {**CLEAN, "person_name": ExtractedField("Nguyễn Văn Ty", 0.97)}, TONED, 0.9)
    assert lost.discrepancies == [] and lost.low_confidence == ["person_name"] and lost.status == "needs_review"
    typo = decide("judgment", {**CLEAN, "person_name": ExtractedField("Nguyễn Văn Tỵ", 0.97)}, TYPO, 0.9)
    assert [d["field"] for d in typo.discrepancies] == ["person_name"] and typo.status == "mismatch"


def test_a_record_value_the_read_could_not_rule_out_is_a_question():
    """The read's own alternative (another anchor's date) is the record's: not a discrepancy."""
    read = ExtractedField("2024-01-17", 0.95, alternatives=("2024-03-18",))
    r = decide("judgment", {**CLEAN, "issue_date": read}, REC, 0.9)
    assert r.discrepancies == [] and r.low_confidence == ["issue_date"]
    far = ExtractedField("2024-01-17", 0.95, alternatives=("2023-11-02",))
    assert [d["field"] for d in decide("judgment", {**CLEAN, "issue_date": far}, REC, 0.9).discrepancies] == ["issue_date"]
