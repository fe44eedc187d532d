"""One document's fields: the steps of extract() over a laid-out document (header, then the
judgment's or decision's own fields, then the cross-field checks), and which candidate wins each field."""

from __future__ import annotations

import re
from typing import Callable, TypedDict

from rapidfuzz.distance import Levenshtein
from sohoa.core.types import DocType, ExtractedField, Extraction, PageText, person_part

from . import calibrate
from . import evidence as ev
from .classify import Title, classify, decision_kind, find_title, trial_level_from_text
from .confidence import LOST_WORD_GAP, Candidate, base, resolve, to_field, weigh_term
from .decision import find_decision_penalty, find_duration, find_effective, find_judgment_ref, find_parole_probation
from .evidence import Applied, applied, product
from .header import find_document_number, find_issue_date, find_issuer, header_limit
from .judgment import (
    Penalty,
    defendant_clauses,
    find_articles,
    find_charges,
    find_fine,
    find_penalty,
    same_person,
    sentenced_names,
)
from .layout import Doc, Span
from .normalize import fold, fz
from .person import NameHit, find_birth, find_ids, find_people, name_echoes, name_quality, region_end
from .sections import DISTRACTOR, Range, operative_range, sentences
from .validate import cross_check, person_checks

SPECIAL_PART = range(108, 426)
# Penal Code 2015, Chapters I-II (tasks, basis of liability, principles, effect in space and time,
# classes of crimes): cited to explain the law, never applied to fix a defendant's sentence
PRINCIPLE_ARTICLES = range(1, 12)
MAX_PERSONS = 40  # the most defendants read from one judgment (a bound on time: one pass each)


class _State(TypedDict):
    """What extract() knows of the document when a step fails."""
    doc_type: DocType | None
    dt_conf: float


# Sees each value as it is reported: (field name, candidate, field reported, person: 0 for the
# document's fields, k for the k-th other person of a judgment). bench/fit_confidence.py records
# the features of every value through it.
Observer = Callable[[str, Candidate, ExtractedField, int], None]


def extract(pages: list[PageText], *, calibrated: bool = True, observe: Observer | None = None) -> Extraction:
    """Never raises for any page content: an internal failure keeps the fields read so far, all
    routed to review, with a warning (a crash would lose every field of the document).

    calibrated: each value's confidence is the fitted model's (calibrate.py, the model shipped in
    data/confidence_model.json); False: the hand-set confidence (the candidate's prior folded
    through its named adjustments)."""
    model = calibrate.load() if calibrated else None

    def emit(name: str, c: Candidate, person: int = 0) -> ExtractedField:
        fld = to_field(name, c, model=model)
        if observe is not None:
            observe(name, c, fld, person)
        return fld

    try:
        doc = Doc.build(pages)
    except Exception as e:  # noqa: BLE001 - the pipeline must survive any OCR output
        return Extraction(doc_type=None, doc_type_confidence=0.0, fields={},
                          warnings=[f"extraction failed: {type(e).__name__}: {e}"])
    f: dict[str, Candidate] = {}
    state: _State = {"doc_type": None, "dt_conf": 0.0}
    try:
        return _extract(doc, f, state, emit)
    except Exception as e:  # noqa: BLE001
        fields: dict[str, ExtractedField] = {}
        for k, c in f.items():
            try:
                c.adjust(ev.EXTRACTION_FAILED)
                fields[k] = emit(k, c)
            except Exception:  # noqa: BLE001
                continue
        return Extraction(doc_type=state["doc_type"], doc_type_confidence=round(min(state["dt_conf"], 0.6), 4),
                          fields=fields, warnings=[f"extraction failed: {type(e).__name__}: {e}"])


def _extract(doc: Doc, f: dict[str, Candidate], state: _State,
             emit: Callable[[str, Candidate, int], ExtractedField]) -> Extraction:
    if not doc.segments:
        return Extraction(doc_type=None, doc_type_confidence=0.0, fields={}, warnings=["no text on any page"])
    warnings: list[str] = []

    title0 = find_title(doc)
    limit = header_limit(doc, title0.segment if title0 else None)
    num, notes = resolve(find_document_number(doc, limit))
    if num:
        f["document_number"] = num
    doc_type, dt_conf, title = classify(doc, num.value if num else None)
    state["doc_type"], state["dt_conf"] = doc_type, dt_conf
    limit = header_limit(doc, title.segment if title else None)
    header_end = doc.segments[limit].start if limit < len(doc.segments) else len(doc.text)

    issue, notes = resolve(find_issue_date(doc, limit, doc_type))
    if issue:
        f["issue_date"] = issue
        warnings += notes
    issuer, notes = resolve(find_issuer(doc, limit))
    if issuer:
        f["issuer"] = issuer
        warnings += [f"issuer: {n}" for n in notes]

    rng = operative_range(doc, after=header_end)

    others: list[dict[str, Candidate]] = []
    if doc_type == "judgment":
        others = _judgment(doc, f, warnings, rng, header_end)
    elif doc_type in ("decision", "certificate"):
        _decision(doc, f, warnings, rng, header_end, title, doc_type)
    else:
        _person(doc, f, warnings, header_end, len(doc.text), None)
        warnings.append("document kind not recognised")

    warnings += cross_check(f, doc_type)
    fields: dict[str, ExtractedField] = {k: emit(k, c, 0) for k, c in f.items()}
    for k, c in f.items():
        for a in c.applied:
            if a.adjustment.warns:
                warnings.append(f"{k}: {a.note}")
    persons: list[dict[str, ExtractedField]] = []
    if others:
        persons = [person_part(fields)] + [{k: emit(k, c, i) for k, c in p.items()} for i, p in enumerate(others, 1)]
    return Extraction(doc_type=doc_type, doc_type_confidence=round(dt_conf, 4), fields=fields,
                      warnings=warnings, persons=persons)


def _quality(name: str) -> Applied:
    """The name's own quality checks (person.name_quality), multiplied into one factor."""
    parts = name_quality(name)
    return Applied(ev.NAME_QUALITY, product(parts), parts=tuple(parts))


# --- person ----------------------------------------------------------------------------------------

def _person(doc: Doc, f: dict[str, Candidate], warnings: list[str], start: int, end: int, rng: Range | None,
            pick: str | None = None) -> str | None:
    """Pick the person (the first the operative part names, or the one named `pick`, folded);
    returns the folded name (for selecting the defendant's clauses)."""
    intro = find_people(doc, start, rng.start if rng else end)
    op = find_people(doc, rng.start, rng.end) if rng else []
    op = [h for h in op if h.tag in ("bi_cao", "pham_nhan", "nguoi_bi_ket_an", "ho_ten", "chung_nhan", "nguoi_cha")]
    if pick is not None:
        op = [h for h in op if same_person(h.folded, pick)]
    chosen = None
    cands: list[Candidate] = []
    twins: list[NameHit] = []
    if op:
        chosen = op[0]
        # OCR changes diacritics at random ('NGUYÊN' for 'NGUYỄN'): the form most mentions agree on wins
        same = [h for h in op + intro if h.folded == chosen.folded]
        forms: dict[str, int] = {}
        for h in same:
            forms[h.name] = forms.get(h.name, 0) + 1
        chosen_name = chosen.name
        best = max(forms, key=lambda n: (forms[n], n == chosen_name))
        if best != chosen.name and forms[best] > forms.get(chosen.name, 0):
            chosen = next(h for h in op if h.name == best) if any(h.name == best for h in op) else chosen
            if chosen.name != best:
                alt = next(h for h in same if h.name == best)
                cands.append(Candidate(alt.name, base(alt.span, alt.weight), alt.span, "majority",
                                       [_quality(alt.name)]))
        cands.append(Candidate(chosen.name, base(chosen.span, chosen.weight), chosen.span, "operative",
                               [_quality(chosen.name)]))
        twins = [h for h in intro if h.folded == chosen.folded]
        if not twins:
            twins = [h for h in intro if h.folded.startswith(chosen.folded) or chosen.folded.startswith(h.folded)]
        twin = twins[0] if twins else None
        if twin is not None:
            tw = next((h for h in twins if h.name == cands[0].value), twin)
            cands.append(Candidate(tw.name, base(tw.span, tw.weight), tw.span, "intro", [_quality(tw.name)]))
            detail_from = twin.end
        else:
            detail_from = None
    elif intro:
        strong = [h for h in intro if h.tag != "ong_ba"] or intro
        chosen = strong[0]
        steps = [_quality(chosen.name)]
        distinct = {h.folded for h in strong if h.tag == chosen.tag}
        if len(distinct) > 1 and chosen.tag == "bi_cao":
            steps.append(applied(ev.NAME_SEVERAL_DEFENDANTS))
            warnings.append("several defendants; operative part not found")
        cands.append(Candidate(chosen.name, base(chosen.span, chosen.weight), chosen.span, chosen.tag, steps))
        for h in intro:
            if h is not chosen and h.folded == chosen.folded:
                cands.append(Candidate(h.name, base(h.span, h.weight), h.span, f"again{h.start}",
                                       [applied(ev.NAME_MENTIONED_AGAIN)]))
                break
        detail_from = chosen.end
    else:
        return None
    name, notes = resolve(cands, conflict_weight=0.8)
    if name is None:
        return None
    agree, disagree = name_echoes(doc, name.value, chosen.start)
    if disagree:
        name.adjust(ev.NAME_DISAGREES_ELSEWHERE)
    elif agree and len(cands) == 1:
        name.adjust(ev.NAME_AGREES_EVERYWHERE)
    if op and not twins and any(h.tag == "bi_cao" for h in intro):
        # the operative part names someone the text did not introduce: a misread, or a stray word
        name.adjust(ev.NAME_NOT_INTRODUCED)
    if fold(name.value) == chosen.folded and doc.word_gap(chosen.start, chosen.end) > LOST_WORD_GAP:
        name.adjust(ev.NAME_WORD_GAP)
    if chosen.weak and not any(not h.weak and h.folded == chosen.folded for h in intro + op):
        name.adjust(ev.NAME_WEAK_ANCHOR)
    f["person_name"] = name
    if detail_from is not None:
        # the first mention may be a passing one ('do có kháng cáo của bị cáo X đối với Bản án ...'): the
        # details follow the mention that introduces the person
        starts = [detail_from] + [h.end for h in twins if h.end > detail_from][:6]
        for k, st in enumerate(starts):
            end_r = region_end(doc, st, rng.start if rng else end)
            b = find_birth(doc, st, end_r)
            pid, passport, w = find_ids(doc, st, end_r)
            if not (b or pid or passport) and k + 1 < len(starts):
                continue
            if b:
                f["birth_date"] = b
            warnings += w
            if pid and b is None and len({h.folded for h in intro + op if h.tag == "bi_cao"}) > 1:
                # several defendants and no birth date to check the ID's birth year against: lost
                # lines can put a co-defendant's ID under this person's name
                pid.adjust(ev.ID_UNCHECKED_SEVERAL_DEFENDANTS)
            if pid:
                f["personal_id"] = pid
            elif passport:
                f["passport_number"] = passport
            break
    return fold(name.value)


# --- judgments -------------------------------------------------------------------------------------------

_OFFENCE_INTRO = re.compile(r"\b(?:ve|pham|va)\s+(?:cac\s+)?toi\b")
_QUOTE = re.compile(r"[\"“”„«»'‘’‚`]")
# between two quoted offence names: a closing quote, a comma/semicolon/'và', an opening quote
_BETWEEN_NAMES = re.compile(r"[\"“”'‘’`]\s*(?:,|;|và)\s*[\"“”'‘’`]")


def _offence_mentions(doc: Doc, clauses: list[tuple[int, int]]) -> int:
    """How many offences the one clause naming the most mentions: by 'về/phạm/và tội'
    and by quoted names (two quote marks each), whichever counts more. (The same
    offence named again in another clause is not counted twice.)"""
    best = 0
    for a, b in clauses:
        folded = doc.folded[a:b]
        intros = len(_OFFENCE_INTRO.findall(folded))
        if not intros:
            continue
        text = doc.text[a:b]
        quoted = len(_QUOTE.findall(text)) // 2
        listed = 1 + len(_BETWEEN_NAMES.findall(text))  # survives a quote lost to OCR
        best = max(best, intros, quoted, listed)
    return best


def _judgment(doc: Doc, f: dict[str, Candidate], warnings: list[str], rng: Range, header_end: int) -> list[dict[str, Candidate]]:
    """The judgment's fields and its first defendant's into `f`; returns the further persons' fields."""
    num = f.get("document_number")
    # trial level: number suffix, corroborated by the text ('sơ thẩm' / 'phúc thẩm')
    if num:
        m = re.search(r"(ST|PT)", num.value.split("/")[-1])
        if m:
            lvl = m.group(1)
            c = Candidate(lvl, num.conf, num.span, "number")  # (prior: the number's confidence)
            st = len(re.findall(fz("xet xu so tham") + "|" + fz("hinh su so tham"), doc.folded[:header_end + 3000]))
            pt = len(re.findall(fz("xet xu phuc tham") + "|" + fz("hinh su phuc tham"), doc.folded[:header_end + 3000]))
            if (lvl == "ST" and st and not pt) or (lvl == "PT" and pt):
                c.adjust(ev.TRIAL_LEVEL_TEXT_AGREES)
            elif (lvl == "ST" and pt and not st) or (lvl == "PT" and st and not pt):
                c.adjust(ev.TRIAL_LEVEL_TEXT_DISAGREES)
                warnings.append("trial level from the number disagrees with the text")
            f["trial_level"] = c
    if "trial_level" not in f and (lvl_read := trial_level_from_text(doc, None)) is not None:
        # the number (or its symbol) not read: the title and the panel name the instance
        f["trial_level"] = Candidate(lvl_read[0], base(lvl_read[2], lvl_read[1]), lvl_read[2], "title_panel")
    name_f = _person(doc, f, warnings, header_end, len(doc.text), rng)
    named = tuple(sentenced_names(doc, rng))
    _defendant(doc, f, warnings, rng, header_end, name_f, named)
    return _co_defendants(doc, f, warnings, rng, header_end, name_f, named)


def _defendant(doc: Doc, f: dict[str, Candidate], warnings: list[str], rng: Range, header_end: int, name_f: str | None,
               named: tuple[str, ...] = ()) -> None:
    """One defendant's charges, articles and penalty, from the operative clauses about them."""
    clauses, others_sentenced = defendant_clauses(doc, rng, name_f, named)

    charges = find_charges(doc, clauses)
    if not charges:
        # fallback: the charge named in the indictment part of the text
        charges = find_charges(doc, [(header_end, len(doc.text))])
        for c in charges:
            c.adjust(ev.CHARGES_FROM_INDICTMENT)
    if charges:
        f["charges"] = Candidate([c.value for c in charges], min(c.conf for c in charges), charges[0].span, "charges",
                                 [applied(ev.OPERATIVE_RANGE, rng.conf if rng.conf < 1 else 1.0)])
    charge_arts = []
    for c in charges:
        # uncatalogued (printed but unknown) offences carry no article: '?'
        if c.article is not None and c.article.isdigit():
            charge_arts.append(str(int(c.article)))

    arts, asp, unsure = find_articles(doc, rng, clauses if others_sentenced else None)
    steps: list[Applied] = []
    arts = [a for a in arts if a.isdigit()]
    for a in unsure:
        if a in charge_arts and a not in arts:
            arts.append(a)
    dropped = [a for a in unsure if a not in arts]
    if dropped:
        steps.append(applied(ev.ARTICLES_LAW_UNREAD))  # 'Điều 38; Điều 55 Bộ m hình sự': left out
        warnings.append(f"articles {dropped} left out: their law name was not read")
    special = [a for a in arts if int(a) in SPECIAL_PART]
    missing = [a for a in charge_arts if a not in arts]
    if missing:
        arts += missing
        steps.append(applied(ev.ARTICLES_FROM_CHARGES))
        warnings.append(f"offence articles {missing} taken from the charge catalogue")
    stray = [a for a in special if a not in charge_arts]
    if stray and charge_arts:
        steps.append(applied(ev.ARTICLES_STRAY_SPECIAL))
        warnings.append(f"Special Part articles {stray} match no charge found")
    if charges and not stray and not missing and arts:
        steps.append(applied(ev.ARTICLES_AGREE_WITH_CHARGES))
    if not charges and special:
        steps.append(applied(ev.ARTICLES_WITHOUT_CHARGES))
    if any(int(a) in PRINCIPLE_ARTICLES for a in arts):
        steps.append(applied(ev.ARTICLES_GENERAL_PRINCIPLE))
        warnings.append("an article of the Code's principles (1-11) among the articles applied")
    if arts and not special:
        steps.append(applied(ev.ARTICLES_NO_OFFENCE_ARTICLE))  # a conviction cites its offence's article
        warnings.append("no offence article (Articles 108-425) among the articles")
    elif charges and len({c.value for c in charges}) > len(set(special) | set(charge_arts)):
        steps.append(applied(ev.ARTICLES_FEWER_THAN_CHARGES))  # each offence has its own article
        warnings.append("fewer offence articles than charges")
    if arts:
        sp_arts = [a for a in arts if int(a) in SPECIAL_PART]
        gen = sorted({a for a in arts if int(a) not in SPECIAL_PART}, key=int)
        # once each: two charges under one article ('322' for both) cite it once
        order = list(dict.fromkeys([a for a in charge_arts if a in sp_arts] + [a for a in sp_arts if a not in charge_arts]))
        steps.append(applied(ev.OPERATIVE_RANGE, min(1.0, rng.conf + 0.1)))
        f["penal_code_articles"] = Candidate(order + gen, base(asp, 0.95) if asp.words else 0.0, asp, "articles", steps)

    pen, pnotes = find_penalty(doc, clauses, rng)
    if pen is not None:
        _emit_penalty(f, pen, rng.conf, warnings)
        pm = f.get("penalty_months")
        if pm is not None and pen.source != "aggregate":
            # several charges (or an aggregate phrase whose figure was not read): the single term found
            # is not known to be the aggregate
            n_ch = len(charges) if charges else 0
            if n_ch > 1 or ev.AGGREGATE_UNREAD in pen.evidence or ev.AGGREGATE_UNREAD in pnotes:
                pm.adjust(ev.PENALTY_NOT_AGGREGATE)
                warnings.append("penalty: several charges and no aggregate term read")
    if "several defendants; operative part not found" in warnings:
        # whose penalty and charges these are is not certain
        for key, adj in (("penalty_months", ev.SEVERAL_DEFENDANTS_PENALTY),
                         ("principal_penalty", ev.SEVERAL_DEFENDANTS_PENALTY),
                         ("probation_months", ev.SEVERAL_DEFENDANTS_PENALTY), ("charges", ev.SEVERAL_DEFENDANTS_CHARGES)):
            if key in f:
                f[key].adjust(adj)
    fine = find_fine(doc, clauses)
    if fine is not None:
        fine.adjust(ev.OPERATIVE_RANGE, min(1.0, rng.conf + 0.1))
        f["fine_vnd"] = fine


# a defendant named in the operative part but not sentenced there: acquitted, or (in an
# appeal) one who did not appeal and whose first-instance sentence stands
_NOT_SENTENCED = re.compile("|".join([
    fz("khong pham toi"), fz("vo toi"), fz("khong co khang cao"), fz("khong khang cao"),
    fz("khong bi khang cao"), fz("co hieu luc phap luat"), fz("dinh chi"), fz("mien trach nhiem hinh su"),
]))


def _co_defendants(doc: Doc, first: dict[str, Candidate], warnings: list[str], rng: Range, header_end: int,
                   first_name: str | None, named: tuple[str, ...]) -> list[dict[str, Candidate]]:
    """Every further defendant the operative part sentences, each with their own fields
    (contract section 5). Named but not sentenced (acquitted, not appealing): no person.
    Named and no sentence read: a person all the same, capped for review (a lost person
    is the worst outcome). No operative part: the introduction's defendants, capped."""
    if first_name is None:
        return []
    if rng.conf < 1.0 and "several defendants; operative part not found" in warnings:
        return _introduced_only(doc, warnings, rng, header_end, first_name)
    persons: list[dict[str, Candidate]] = []
    if len(named) > MAX_PERSONS:
        # each person is a pass over the document: a page of names is not read as that many people
        warnings.append(f"{len(named)} defendants named; only the first {MAX_PERSONS} read, a person reads the rest")
        named = named[:MAX_PERSONS]
        if "person_name" in first:
            first["person_name"].adjust(ev.TOO_MANY_DEFENDANTS)
    introduced = [h.folded for h in find_people(doc, header_end, rng.start) if h.tag == "bi_cao"]
    accepted = [first_name]
    for name in named:
        if any(same_person(name, n) for n in accepted):
            continue
        if introduced and not any(same_person(name, n) for n in introduced) \
                and any(misread_of(name, n) for n in accepted):
            # 'Trẩần Quang Vũ' beside 'Trần Quang Vũ': one person misread, not a defendant the
            # introduction never named ('Nguyễn Văn Anh' beside 'Nguyễn Văn An' is introduced)
            continue
        accepted.append(name)
        pf: dict[str, Candidate] = {}
        pw: list[str] = []
        got = _person(doc, pf, pw, header_end, len(doc.text), rng, pick=name)
        if got is None:
            continue
        _defendant(doc, pf, pw, rng, header_end, got, named)
        pw += person_checks(pf, first.get("issue_date"))  # every person is checked as the first one is
        if "principal_penalty" not in pf:
            clauses, _ = defendant_clauses(doc, rng, got, named)
            if any(_NOT_SENTENCED.search(doc.folded[a:b]) for a, b in clauses):
                continue
            for c in pf.values():
                c.adjust(ev.CO_DEFENDANT_UNSENTENCED)
        warnings += [f"person {len(persons) + 2}: {w}" for w in pw]
        persons.append(pf)
    everyone = [first, *persons]
    for i, p in enumerate(everyone):
        pen = p.get("principal_penalty")
        if pen is None or pen.span is None:
            continue
        for j, q in enumerate(everyone):
            other = q.get("principal_penalty")
            if j != i and other is not None and other.span is not None and _shared(pen.span, other.span):
                for key in ("principal_penalty", "penalty_months", "probation_months"):
                    if key in p:
                        p[key].adjust(ev.TERM_SHARED_WITH_CO_DEFENDANT)
                break
    return persons


def misread_of(a: str, b: str) -> bool:
    """Two folded names that differ by at most two letters, word for word: an OCR misreading."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    return sum(Levenshtein.distance(x, y) for x, y in zip(wa, wb)) <= 2


def _shared(a: Span, b: Span) -> bool:
    """Two values read from the same words."""
    return bool({id(w) for w in a.words} & {id(w) for w in b.words})


def _introduced_only(doc: Doc, warnings: list[str], rng: Range, header_end: int,
                     first_name: str) -> list[dict[str, Candidate]]:
    seen = [first_name]
    persons: list[dict[str, Candidate]] = []
    for h in find_people(doc, header_end, len(doc.text)):
        if h.tag != "bi_cao" or any(same_person(h.folded, n) for n in seen):
            continue
        seen.append(h.folded)
        pf: dict[str, Candidate] = {"person_name": Candidate(h.name, base(h.span, h.weight), h.span, h.tag,
                                                             [_quality(h.name)])}
        end_r = region_end(doc, h.end, rng.start if rng.conf >= 1.0 else len(doc.text))
        b = find_birth(doc, h.end, end_r)
        pid, passport, _ = find_ids(doc, h.end, end_r)
        for key, c in (("birth_date", b), ("personal_id", pid), ("passport_number", passport)):
            if c is not None:
                pf[key] = c
        for c in pf.values():
            c.adjust(ev.CO_DEFENDANT_NO_OPERATIVE)
        persons.append(pf)
    return persons


_TERM_WARNINGS = {
    ev.TERM_WORDS_DISAGREE: "penalty: number in words disagrees with digits",
    ev.TERM_HAS_DAYS: "penalty term has days; months rounded down",
    ev.TERM_UNIT_LOST_BEFORE: "penalty: a number before the term has an unreadable unit; the term may be longer",
    ev.TERM_DIGIT_LOST: "penalty: a gap beside the term's number where a digit may have been lost",
    ev.TERM_MAY_CONTINUE: "penalty: a term in years ends a line read out of order; the term may be longer",
}


def _emit_penalty(f: dict[str, Candidate], pen: Penalty, rng_conf: float, warnings: list[str],
                  method: float = 0.97) -> None:
    first = [applied(ev.OPERATIVE_RANGE, min(1.0, rng_conf + 0.1))]
    k = list(first)
    c = first + weigh_term(pen.evidence)
    for adj, warning in _TERM_WARNINGS.items():
        if adj in pen.evidence:
            warnings.append(warning)
    if ev.SUSPENSION_NEARBY_TERM in pen.evidence:
        k.append(applied(ev.SUSPENSION_NEARBY_KIND))
        c.append(applied(ev.SUSPENSION_NEARBY_TERM))
        warnings.append("penalty: imprisonment read, but 'án treo' / 'thử thách' follows the clause")
    if pen.source == "summed":
        c.append(applied(ev.PENALTY_SUMMED_TERM))
        k.append(applied(ev.PENALTY_SUMMED_KIND))
        warnings.append("penalty: several penalties without a stated aggregate; summed")
    if ev.AGGREGATE_BELOW_TERM in pen.evidence:
        c.append(applied(ev.AGGREGATE_BELOW_TERM))
        warnings.append("penalty: aggregate smaller than one of the terms")
    if pen.source == "first_of_many":
        c.append(applied(ev.PENALTY_FIRST_OF_MANY))
        k.append(applied(ev.PENALTY_FIRST_OF_MANY))
    prior = base(pen.span, method)
    f["principal_penalty"] = Candidate(pen.kind, prior, pen.span, "penalty", k)
    if pen.months is not None and pen.kind in ("imprisonment", "suspended_imprisonment", "non_custodial_reform"):
        f["penalty_months"] = Candidate(pen.months, prior, pen.span, "penalty", list(c))
    if pen.probation is not None:
        steps = c + [applied(ev.PROBATION_OF_PENALTY)]
        if ev.PROBATION_WORDS_DISAGREE in pen.evidence:
            steps.append(applied(ev.PROBATION_WORDS_DISAGREE))
            warnings.append("probation: number in words disagrees with digits")
        f["probation_months"] = Candidate(pen.probation, prior, pen.span, "penalty", steps)


# --- decisions / certificates ------------------------------------------------------------------------------------

def _decision(doc: Doc, f: dict[str, Candidate], warnings: list[str], rng: Range, header_end: int,
              title: Title | None, doc_type: str) -> None:
    kind, kconf, ksp = decision_kind(doc, title, doc_type)
    if kind:
        f["decision_kind"] = Candidate(kind, kconf, ksp, "kind")
    _person(doc, f, warnings, header_end, len(doc.text), None)
    num = f.get("document_number")
    refs = find_judgment_ref(doc, header_end, num.value if num else None)
    ref, notes = resolve(refs)
    if ref:
        f["judgment_ref"] = ref
    eff_after = rng.start if rng.conf >= 1.0 else header_end  # the operative part, not the recitals
    effs = find_effective(doc, kind, f.get("issue_date"), eff_after)
    if not effs and eff_after > header_end:
        # the operative part gives none (lines lost?): a date of the recitals is only a guess
        effs = find_effective(doc, kind, f.get("issue_date"), header_end)
        for c in effs:
            c.adjust(ev.EFFECTIVE_BEFORE_OPERATIVE)
    eff, notes = resolve(effs)
    if eff:
        f["effective_date"] = eff
    drng = rng if rng.conf >= 1.0 else Range(header_end, len(doc.text), 0.8)
    dur = find_duration(doc, kind, drng)
    if dur is None and drng is rng:
        dur = find_duration(doc, kind, Range(header_end, len(doc.text), 0.8))
        if dur:
            dur.adjust(ev.DURATION_OUTSIDE_OPERATIVE)
    if dur:
        f["duration_months"] = dur
    charge_clauses = [x for x in sentences(doc, header_end, len(doc.text))
                      if not DISTRACTOR.search(doc.folded[x[0]:x[1]])]
    charges = find_charges(doc, charge_clauses)
    if charges:
        ch = Candidate([c.value for c in charges], min(c.conf for c in charges), charges[0].span, "charges",
                       [applied(ev.CHARGES_IN_DECISION)])
        mentioned = _offence_mentions(doc, charge_clauses)
        if mentioned > len(charges):
            # more offences named than read: the list is incomplete, a person completes it
            ch.adjust(ev.CHARGES_INCOMPLETE)
            warnings.append(f"charges: {mentioned} offences mentioned, {len(charges)} read")
        f["charges"] = ch
    fine = find_fine(doc, [x for x in sentences(doc, header_end, len(doc.text))
                           if not DISTRACTOR.search(doc.folded[x[0]:x[1]])])
    if fine is not None:
        fine.adjust(ev.FINE_IN_DECISION)
        f["fine_vnd"] = fine
    pen = find_decision_penalty(doc, kind, drng)
    if pen is not None:
        method = 0.95 if kind in ("execute_sentence", "completion") else 0.85
        _emit_penalty(f, pen, drng.conf, warnings, method)
    if kind == "parole" and "probation_months" not in f:
        # conditional early release: 'Thời gian thử thách: 17 tháng (bằng thời gian còn lại của hình phạt tù)'
        pr = find_parole_probation(doc, drng)
        if pr is not None:
            f["probation_months"] = pr
