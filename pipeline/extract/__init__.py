"""Field extraction: list[PageText] -> Extraction (contract field names and value forms).

    from sohoa.pipeline.extract import extract
    extraction = extract(pages)

Modules (one job each):
    normalize   NFC, diacritic folding (offset preserving), OCR-tolerant patterns, edit distance
    layout      pages -> line segments (columns split) -> one text with word/bbox back-mapping
    numbers     digits with OCR repair, Vietnamese number words, durations, money
    dates       Vietnamese date forms
    catalogues  data/ loaders: offences (Penal Code 2015), bodies, kinds, penalties, surnames
    classify    judgment / decision / certificate; decision kind
    header      document number, issue date, issuer
    sections    operative part, sentences, distractor contexts
    person      defendant / convicted person: name, birth date, personal ID, passport
    judgment    charges, articles, penalties of a judgment
    decision    judgment_ref, effective date, duration, penalty of decisions/certificates
    confidence  candidates, agreement/conflict resolution
    validate    cross-field validity checks
"""
from __future__ import annotations

import re

from sohoa.core.types import ExtractedField, Extraction, PageText

from .classify import classify, decision_kind, find_title
from .confidence import LOST_WORD_GAP, Candidate, base, resolve, to_field, weigh_term
from .decision import find_decision_penalty, find_duration, find_effective, find_judgment_ref, find_parole_probation
from .header import find_document_number, find_issue_date, find_issuer, header_limit
from .judgment import defendant_clauses, find_articles, find_charges, find_fine, find_penalty
from .layout import Doc
from .normalize import fold, fz
from .person import find_birth, find_ids, find_people, name_echoes, name_quality, region_end
from .sections import DISTRACTOR, Range, operative_range, sentences
from .validate import cross_check

__all__ = ["extract"]

SPECIAL_PART = range(108, 426)


def extract(pages: list[PageText]) -> Extraction:
    """Never raises for any page content: an internal failure keeps the fields read so far, all
    routed to review, with a warning (a crash would lose every field of the document)."""
    try:
        doc = Doc.build(pages)
    except Exception as e:  # noqa: BLE001 - the pipeline must survive any OCR output
        return Extraction(doc_type=None, doc_type_confidence=0.0, fields={},
                          warnings=[f"extraction failed: {type(e).__name__}: {e}"])
    f: dict[str, Candidate] = {}
    state: dict = {"doc_type": None, "dt_conf": 0.0}
    try:
        return _extract(doc, f, state)
    except Exception as e:  # noqa: BLE001
        fields: dict[str, ExtractedField] = {}
        for k, c in f.items():
            try:
                c.conf = min(float(c.conf), 0.6)
                fields[k] = to_field(c)
            except Exception:  # noqa: BLE001
                continue
        return Extraction(doc_type=state["doc_type"], doc_type_confidence=round(min(state["dt_conf"], 0.6), 4),
                          fields=fields, warnings=[f"extraction failed: {type(e).__name__}: {e}"])


def _extract(doc: Doc, f: dict, state: dict) -> Extraction:
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

    if doc_type == "judgment":
        _judgment(doc, f, warnings, rng, header_end)
    elif doc_type in ("decision", "certificate"):
        _decision(doc, f, warnings, rng, header_end, title, doc_type)
    else:
        _person(doc, f, warnings, header_end, len(doc.text), None)
        warnings.append("document kind not recognised")

    warnings += cross_check(f, doc_type)
    fields: dict[str, ExtractedField] = {k: to_field(c) for k, c in f.items()}
    for k, c in f.items():
        for n in c.notes:
            if n.startswith(("conflicting", "several", "9-digit", "OCR", "probation", "words disagree")):
                warnings.append(f"{k}: {n}")
    return Extraction(doc_type=doc_type, doc_type_confidence=round(dt_conf, 4), fields=fields,
                      warnings=warnings)


# --- person ----------------------------------------------------------------------------------------

def _person(doc: Doc, f: dict, warnings: list, start: int, end: int, rng: Range | None) -> str | None:
    """Pick the person; returns the folded name (for selecting the defendant's clauses)."""
    intro = find_people(doc, start, rng.start if rng else end)
    op = find_people(doc, rng.start, rng.end) if rng else []
    op = [h for h in op if h.tag in ("bi_cao", "pham_nhan", "nguoi_bi_ket_an", "ho_ten", "chung_nhan", "nguoi_cha")]
    chosen = None
    cands: list[Candidate] = []
    twins: list = []
    if op:
        chosen = op[0]
        # OCR changes diacritics at random ('NGUYÊN' for 'NGUYỄN'): the form most mentions agree on wins
        same = [h for h in op + intro if h.folded == chosen.folded]
        forms: dict[str, int] = {}
        for h in same:
            forms[h.name] = forms.get(h.name, 0) + 1
        best = max(forms, key=lambda n: (forms[n], n == chosen.name))
        if best != chosen.name and forms[best] > forms.get(chosen.name, 0):
            chosen = next(h for h in op if h.name == best) if any(h.name == best for h in op) else chosen
            if chosen.name != best:
                alt = next(h for h in same if h.name == best)
                cands.append(Candidate(alt.name, base(alt.span, alt.weight) * name_quality(alt.name), alt.span,
                                       "majority"))
        cands.append(Candidate(chosen.name, base(chosen.span, chosen.weight) * name_quality(chosen.name),
                               chosen.span, "operative"))
        twins = [h for h in intro if h.folded == chosen.folded]
        if not twins:
            twins = [h for h in intro if h.folded.startswith(chosen.folded) or chosen.folded.startswith(h.folded)]
        twin = twins[0] if twins else None
        if twin is not None:
            tw = next((h for h in twins if h.name == cands[0].value), twin)
            cands.append(Candidate(tw.name, base(tw.span, tw.weight) * name_quality(tw.name), tw.span,
                                   "intro"))
            detail_from = twin.end
        else:
            detail_from = None
    elif intro:
        strong = [h for h in intro if h.tag != "ong_ba"] or intro
        chosen = strong[0]
        q = 1.0
        distinct = {h.folded for h in strong if h.tag == chosen.tag}
        if len(distinct) > 1 and chosen.tag == "bi_cao":
            q = 0.8  # several defendants and no operative part to tell the primary one
            warnings.append("several defendants; operative part not found")
        cands.append(Candidate(chosen.name, base(chosen.span, chosen.weight) * name_quality(chosen.name) * q,
                               chosen.span, chosen.tag))
        for h in intro:
            if h is not chosen and h.folded == chosen.folded:
                cands.append(Candidate(h.name, base(h.span, h.weight) * 0.9, h.span, f"again{h.start}"))
                break
        detail_from = chosen.end
    else:
        return None
    name, notes = resolve(cands, conflict_weight=0.8)
    if name is None:
        return None
    agree, disagree = name_echoes(doc, name.value, chosen.start)
    if disagree:
        name.conf *= 0.7
        name.notes.append("conflicting mention of the name elsewhere in the text")
    elif agree and len(cands) == 1:
        name.conf = name.conf + (1 - name.conf) * 0.3
    if op and not twins and any(h.tag == "bi_cao" for h in intro):
        # the operative part names someone the text did not introduce: a misread, or a stray word
        name.conf *= 0.8
        name.notes.append("the name is not among the defendants introduced")
    if fold(name.value) == chosen.folded and doc.word_gap(chosen.start, chosen.end) > LOST_WORD_GAP:
        name.conf *= 0.75
        name.notes.append("space for a lost word inside the name")
    if chosen.weak and not any(not h.weak and h.folded == chosen.folded for h in intro + op):
        name.conf = min(name.conf, 0.89)  # found by a weak anchor only: a person checks
        name.notes.append("person found by a weak anchor only")
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
                pid.conf *= 0.85
                pid.notes.append("several defendants; ID not checked against a birth date")
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


def _offence_mentions(doc, clauses: list[tuple[int, int]]) -> int:
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


def _judgment(doc: Doc, f: dict, warnings: list, rng: Range, header_end: int) -> None:
    num = f.get("document_number")
    # trial level: number suffix, corroborated by the text ('sơ thẩm' / 'phúc thẩm')
    if num:
        m = re.search(r"(ST|PT)", num.value.split("/")[-1])
        if m:
            lvl = m.group(1)
            c = Candidate(lvl, num.conf, num.span, "number")
            st = len(re.findall(fz("xet xu so tham") + "|" + fz("hinh su so tham"), doc.folded[:header_end + 3000]))
            pt = len(re.findall(fz("xet xu phuc tham") + "|" + fz("hinh su phuc tham"), doc.folded[:header_end + 3000]))
            if (lvl == "ST" and st and not pt) or (lvl == "PT" and pt):
                c.conf = c.conf + (1 - c.conf) * 0.5
            elif (lvl == "ST" and pt and not st) or (lvl == "PT" and st and not pt):
                c.conf *= 0.6
                warnings.append("trial level from the number disagrees with the text")
            f["trial_level"] = c
    name_f = _person(doc, f, warnings, header_end, len(doc.text), rng)
    clauses, others_sentenced = defendant_clauses(doc, rng, name_f)

    charges = find_charges(doc, clauses)
    if not charges:
        # fallback: the charge named in the indictment part of the text
        charges = find_charges(doc, [(header_end, len(doc.text))])
        for c in charges:
            c.conf *= 0.7
    if charges:
        conf = min(c.conf for c in charges) * (rng.conf if rng.conf < 1 else 1.0)
        sp = charges[0].span
        f["charges"] = Candidate([c.value for c in charges], conf, sp, "charges")
    charge_arts = []
    for c in charges:
        for n in c.notes:
            # uncatalogued (printed but unknown) offences carry no article: 'article=?'
            if n.startswith("article=") and n[8:].isdigit():
                charge_arts.append(str(int(n[8:])))

    arts, asp, unsure = find_articles(doc, rng, clauses if others_sentenced else None)
    conf = base(asp, 0.95) if asp.words else 0.0
    arts = [a for a in arts if a.isdigit()]
    for a in unsure:
        if a in charge_arts and a not in arts:
            arts.append(a)
    dropped = [a for a in unsure if a not in arts]
    if dropped:
        conf *= 0.8  # references whose law name was not read ('Điều 38; Điều 55 Bộ m hình sự'): left out
        warnings.append(f"articles {dropped} left out: their law name was not read")
    special = [a for a in arts if int(a) in SPECIAL_PART]
    missing = [a for a in charge_arts if a not in arts]
    if missing:
        arts += missing
        conf = (conf or 0.75) * 0.75
        warnings.append(f"offence articles {missing} taken from the charge catalogue")
    stray = [a for a in special if a not in charge_arts]
    if stray and charge_arts:
        conf *= 0.75
        warnings.append(f"Special Part articles {stray} match no charge found")
    if charges and not stray and not missing and arts:
        conf = conf + (1 - conf) * 0.5  # articles and charges agree
    if not charges and special:
        conf *= 0.8
    if arts and not special:
        conf *= 0.6  # a conviction cites its offence's article: lines of the list were lost
        warnings.append("no offence article (Articles 108-425) among the articles")
    elif charges and len({c.value for c in charges}) > len(set(special) | set(charge_arts)):
        conf *= 0.7  # each offence has its own article: one is missing from the list
        warnings.append("fewer offence articles than charges")
    if arts:
        sp_arts = [a for a in arts if int(a) in SPECIAL_PART]
        gen = sorted((a for a in arts if int(a) not in SPECIAL_PART), key=int)
        order = [a for a in charge_arts if a in sp_arts] + [a for a in sp_arts if a not in charge_arts]
        f["penal_code_articles"] = Candidate(order + gen, conf * min(1.0, rng.conf + 0.1), asp, "articles")

    pen, pnotes = find_penalty(doc, clauses, rng)
    if pen is not None:
        _emit_penalty(f, pen, rng.conf, warnings)
        pm = f.get("penalty_months")
        if pm is not None and pen.source != "aggregate":
            # several charges (or an aggregate phrase whose figure was not read): the single term found
            # is not known to be the aggregate
            n_ch = len(charges) if charges else 0
            if n_ch > 1 or "aggregate unread" in pen.notes or "aggregate unread" in pnotes:
                pm.conf = min(pm.conf, 0.7)
                warnings.append("penalty: several charges and no aggregate term read")
    if "several defendants; operative part not found" in warnings:
        # whose penalty and charges these are is not certain
        for key, factor in (("penalty_months", 0.75), ("principal_penalty", 0.75), ("probation_months", 0.75),
                            ("charges", 0.85)):
            if key in f:
                f[key].conf *= factor
    fine = find_fine(doc, clauses)
    if fine is not None:
        fine.conf *= min(1.0, rng.conf + 0.1)
        f["fine_vnd"] = fine


_TERM_WARNINGS = {
    "words disagree": "penalty: number in words disagrees with digits",
    "days in term": "penalty term has days; months rounded down",
    "unit unreadable before term": "penalty: a number before the term has an unreadable unit; the term may be longer",
    "digit gap": "penalty: a gap beside the term's number where a digit may have been lost",
    "term may continue another line": "penalty: a term in years ends a line read out of order; the term may be longer",
}


def _emit_penalty(f: dict, pen, rng_conf: float, warnings: list, method: float = 0.97) -> None:
    c = base(pen.span, method) * min(1.0, rng_conf + 0.1)
    k = c
    c = weigh_term(c, pen.notes)
    for note, warning in _TERM_WARNINGS.items():
        if note in pen.notes:
            warnings.append(warning)
    if "suspension words nearby" in pen.notes:
        k *= 0.6
        c *= 0.85
        warnings.append("penalty: imprisonment read, but 'án treo' / 'thử thách' follows the clause")
    if pen.source == "summed":
        c *= 0.7
        k *= 0.9
        warnings.append("penalty: several penalties without a stated aggregate; summed")
    if "aggregate below a single term" in pen.notes:
        c *= 0.6
        warnings.append("penalty: aggregate smaller than one of the terms")
    if pen.source == "first_of_many":
        c *= 0.6
        k *= 0.6
    f["principal_penalty"] = Candidate(pen.kind, k, pen.span, "penalty")
    if pen.months is not None and pen.kind in ("imprisonment", "suspended_imprisonment", "non_custodial_reform"):
        f["penalty_months"] = Candidate(pen.months, c, pen.span, "penalty")
    if pen.probation is not None:
        f["probation_months"] = Candidate(pen.probation, c * 0.98, pen.span, "penalty")


# --- decisions / certificates ------------------------------------------------------------------------------------

def _decision(doc: Doc, f: dict, warnings: list, rng: Range, header_end: int, title, doc_type: str) -> None:
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
            c.conf *= 0.85
            c.notes.append("effective date found before the operative part only")
    eff, notes = resolve(effs)
    if eff:
        f["effective_date"] = eff
    drng = rng if rng.conf >= 1.0 else Range(header_end, len(doc.text), 0.8)
    dur = find_duration(doc, kind, drng)
    if dur is None and drng is rng:
        dur = find_duration(doc, kind, Range(header_end, len(doc.text), 0.8))
        if dur:
            dur.conf *= 0.85
    if dur:
        f["duration_months"] = dur
    charge_clauses = [x for x in sentences(doc, header_end, len(doc.text))
                      if not DISTRACTOR.search(doc.folded[x[0]:x[1]])]
    charges = find_charges(doc, charge_clauses)
    if charges:
        conf = min(c.conf for c in charges) * 0.97
        mentioned = _offence_mentions(doc, charge_clauses)
        if mentioned > len(charges):
            # more offences named than read: the list is incomplete, a person completes it
            conf = min(conf, 0.8)
            warnings.append(f"charges: {mentioned} offences mentioned, {len(charges)} read")
        f["charges"] = Candidate([c.value for c in charges], conf, charges[0].span, "charges")
    fine = find_fine(doc, [x for x in sentences(doc, header_end, len(doc.text))
                           if not DISTRACTOR.search(doc.folded[x[0]:x[1]])])
    if fine is not None:
        fine.conf *= 0.97
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
