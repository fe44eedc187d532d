"""Judgment content from the operative part: charges, Penal Code articles, penalties.

Only the operative part ('QUYẾT ĐỊNH:' after 'Vì các lẽ trên') is read, clause
by clause, keeping the clauses about the primary defendant. Proposals of the
procuracy, first-instance figures quoted by an appeal court, prior
convictions and court fees are distractors (sections.DISTRACTOR / FEE).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import evidence as ev
from .catalogues import Offence, match_offence, offences, penalties
from .confidence import Candidate, base, term_evidence
from .digits import words_to_int
from .evidence import Adjustment, applied
from .layout import Doc, Span
from .normalize import fold, fz, starts_upper
from .numbers import Duration, find_durations, find_money
from .sections import DISTRACTOR, FEE, Range, sentences

# --- clauses about the defendant -----------------------------------------------------------


# 'bị cáo Trần Văn Bình', and 'Xử phạt: TRẦN VĂN BÌNH 02 năm tù' (the name without 'bị cáo')
_NAMED = re.compile("(?:" + fz("bi cao") + "|" + fz("xu phat") + r"\s*:)\s+([a-z]+(?:\s+[a-z]+){1,5})")


def _names_in(doc: Doc, a: int, b: int) -> list[str]:
    """The defendants a sentence names, folded, in order."""
    out = []
    folded = doc.folded[a:b]
    pos = 0
    while (m := _NAMED.search(folded, pos)) is not None:
        # a name is printed capitalised ('bị cáo Trần Văn Bình'); 'bị cáo phải chấp hành ...' names nobody
        ws = doc.text[a + m.start(1):a + m.end(1)].split()
        k = 0
        while k < len(ws) and starts_upper(ws[k]):
            k += 1
        if k >= 2:
            out.append(" ".join(m.group(1).split()[:k]))
        # go on after the name, not after the words read with it ('An và bị cáo Bình')
        pos = m.start(1) + max(1, len(" ".join(m.group(1).split()[:max(k, 1)])))
    return out


def same_person(a: str, b: str) -> bool:
    """Two folded names of one person: equal, or one the other's first words (a name cut
    short by the line, or followed by words read into it). 'nguyen van an' and
    'nguyen van anh' are two people: names compare by whole words."""
    wa, wb = a.split(), b.split()
    n = min(len(wa), len(wb))
    return n >= 2 and wa[:n] == wb[:n]


def sentenced_names(doc: Doc, rng: Range) -> list[str]:
    """The defendants the operative part names, folded, in the order it names them
    (distractor sentences, e.g. the procuracy's proposals, left out)."""
    names: list[str] = []
    for a, b in sentences(doc, rng.start, rng.end):
        if DISTRACTOR.search(doc.folded[a:b]):
            continue
        for g in _names_in(doc, a, b):
            if not any(same_person(g, n) for n in names):
                names.append(g)
    return names


def defendant_clauses(doc: Doc, rng: Range, name_folded: str | None,
                      rivals: tuple[str, ...] = ()) -> tuple[list[tuple[int, int]], bool]:
    """Sentences of the operative part, without distractors; when several defendants are
    named, only the sentences about `name_folded` (or naming nobody after them). Also
    whether sentences about someone else were left out. `rivals`: the other defendants'
    names; a sentence naming one of them by exactly that name is theirs, not ours, even
    if our name is a prefix of it ('Nguyễn Văn An' / 'Nguyễn Văn Anh')."""
    out = []
    others = False
    current_is_ours = True
    for a, b in sentences(doc, rng.start, rng.end):
        f = doc.folded[a:b]
        if DISTRACTOR.search(f):
            continue
        ms = _names_in(doc, a, b)
        if ms and name_folded:
            ours = any((g.startswith(name_folded) or name_folded.startswith(g[:len(name_folded)]))
                       and not any(g == r and r != name_folded for r in rivals) for g in ms)
            current_is_ours = ours
            if not ours:
                others = True
                continue
        elif not current_is_ours:
            continue
        out.append((a, b))
    return out, others


# --- charges -------------------------------------------------------------------------------------

_TOI = re.compile(r"(?<![a-z])" + fz("toi") + r"\s*[:]?\s*")
_QUOTED = re.compile(r"[\"'“”«»]\s*([^\"'“”«»]{3,200}?)\s*[\"'“”«»]")
_REST_QUOTED = re.compile(r"\s*([^\"'“”«»,;]{3,200}?)\s*[\"'“”«»]")


def _cut_offence(doc: Doc, after: int, short: Offence) -> Offence | None:
    """The catalogue offence whose name `short` begins, when the text after the closing quote
    goes on with that name's next word: the name was cut, not shortened."""
    words = short.folded.split()
    for o in offences():
        ow = o.folded.split()
        if o.article == short.article and len(ow) > len(words) and ow[:len(words)] == words:
            if re.match(r"[^a-z0-9]{0,8}" + re.escape(ow[len(words)]) + r"(?![a-z])", doc.folded[after:after + 60]):
                return o
    return None


def find_charges(doc: Doc, clauses: list[tuple[int, int]]) -> list[Candidate]:
    """Offence names after 'phạm tội' / 'về tội' in the defendant's clauses."""
    found: dict[str, Candidate] = {}
    order: list[str] = []
    for a, b in clauses:
        f = doc.folded[a:b]
        if not re.search(fz("pham") + r"\s*(cac\s*)?" + fz("toi") + "|" + fz("ve toi") + "|" + fz("ve cac toi"), f):
            continue
        # 1) quoted names
        got = False
        prev_end = a
        for m in _QUOTED.finditer(doc.text, a, b):
            txt = m.group(1)
            om = match_offence(txt)
            ctx = doc.folded[prev_end:m.start()]
            if om is None:
                # an offence name not in the catalogue (or garbled): keep as printed, for review
                if (re.search(fz("toi") + r"\s*[:]?\s*$", ctx) or (got and re.fullmatch(r"[\s,;]*(va)?\s*(toi)?\s*", ctx))) \
                        and len(txt.split()) >= 2:
                    sp = doc.span(m.start(1), m.end(1))
                    name = " ".join(txt.split())
                    _add(found, order, Candidate(name[:1].upper() + name[1:], base(sp, 1.0), sp, "uncatalogued",
                                                 [applied(ev.OFFENCE_UNCATALOGUED)]), "?")
                    got = True
                    prev_end = m.end()
                continue
            prev_end = m.end()
            sp = doc.span(m.start(1), m.end(1))
            steps = [applied(ev.OFFENCE_MATCH_SCORE, 1.0 if om.score == 1.0 else max(0.5, om.score - 0.08))]
            if om.score == 0.95:
                # the first words of an official name: a short form in use, or the name cut by OCR
                if om.exact_diacritics:
                    steps = [applied(ev.OFFENCE_SHORT_FORM)]
                if len(om.offence.folded.split()) < 4:
                    steps.append(applied(ev.OFFENCE_SHORT_NAME))
            if om.score == 1.0 and not om.exact_diacritics:
                steps.append(applied(ev.OFFENCE_DIACRITICS_RESTORED))
            name = om.offence.name
            if om.score == 0.95:
                cut = _cut_offence(doc, m.end(1), om.offence)
                if cut is not None:
                    # not a short form: the quote closed where OCR broke the line ('… trong giao' /
                    # '"dịch dân sự"'); the catalogue's full name, for a person to confirm
                    name = cut.name
                    steps.append(applied(ev.OFFENCE_CUT))
            _add(found, order, Candidate(name, base(sp, 0.97), sp, "quoted", steps), om.offence.article)
            got = True
        if got:
            # another charge after the last quoted one whose quotes OCR lost ('..., 'Mua bán người theo ...')
            tail_a = prev_end
            tail = doc.folded[tail_a:b]
            # or whose opening quote the last one took, its own closing quote lost ('Tàng trữ trái phép
            # chất ma túy, "Cố ý gây thương tích" theo ...'): the text up to the next quote is a name
            m2 = _REST_QUOTED.match(doc.text, tail_a, b) if re.search(r"[,;]\s*[\"'“”«»]\s*$", doc.text[a:tail_a]) else None
            om2 = match_offence(m2.group(1)) if m2 else None
            if m2 is not None and om2 is not None and om2.offence.name not in found:
                sp = doc.span(m2.start(1), m2.end(1))
                _add(found, order, Candidate(om2.offence.name, base(sp, 0.9), sp, "quote-shifted",
                                                    [applied(ev.OFFENCE_QUOTE_SHIFTED)]),
                     om2.offence.article)
                continue
            if m2 is not None and om2 is None:
                for k in order:  # a quoted name nobody could read: a charge may be missing
                    found[k].adjust(ev.CHARGE_MAY_BE_MISSING)
            if re.match(r"\s*[,;]?\s*(va\s*)?(" + fz("toi") + r"\s*)?[\"'“”«»]?\s*[a-z]", tail):
                norm_t = " " + re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 \-]", " ", tail))
                hit = None
                for o in offences():
                    at = norm_t.find(" " + o.folded)
                    if 0 <= at <= 12 and (hit is None or len(o.folded) > len(hit.folded)):
                        hit = o
                if hit is not None and hit.name not in found:
                    mm = re.search(fz(hit.folded, loose=False), tail)
                    sp = doc.span(tail_a + mm.start(), tail_a + mm.end()) if mm else Span([], None)
                    _add(found, order, Candidate(hit.name, base(sp, 0.9), sp, "unquoted-tail",
                                                           [applied(ev.OFFENCE_UNQUOTED_TAIL)]), hit.article)
                elif hit is None and re.match(r"\s*[,;]?\s*(va\s*)?(" + fz("toi") + r"\s*)?[\"'“”«»]\s*[a-z]", tail):
                    for k in order:  # an opened quote nobody read: a charge may be missing
                        found[k].adjust(ev.CHARGE_MAY_BE_MISSING)
            continue
        # 2) no quotes (OCR lost them): catalogue names written out after 'tội'
        norm = re.sub(r"[^a-z0-9 \-]", " ", f)
        norm = re.sub(r"\s+", " ", norm)
        hits = []
        for o in offences():
            at = norm.find(" " + o.folded)
            if at >= 0:
                hits.append((at, o))
        hits = [h for h in hits if not any(o2.folded != h[1].folded and h[1].folded in o2.folded
                                           for _, o2 in hits)]
        for _, o in sorted(hits, key=lambda h: h[0]):
            hm = re.search(fz(o.folded, loose=False), f)
            sp = doc.span(a + hm.start(), a + hm.end()) if hm else Span([], None)
            _add(found, order, Candidate(o.name, base(sp, 0.9), sp, "unquoted"), o.article)
    out = [found[k] for k in order]
    # a fragment of another charge ('Tổ chức đánh' when OCR split the quotes of 'Tổ chức đánh bạc')
    # is not a charge of its own
    keys = [re.sub(r"[^a-z0-9]+", " ", fold(c.value).lower()).strip() for c in out]
    keep = []
    for i, c in enumerate(out):
        if any(j != i and keys[j] != keys[i] and keys[j].startswith(keys[i]) for j in range(len(out))):
            continue
        keep.append(c)
    other = _offence_named_elsewhere(doc, clauses, {c.value for c in keep})
    if other is not None:
        for c in keep:  # the text convicts the defendant of an offence not read here: the list may be short
            c.adjust(ev.CHARGE_MAY_BE_MISSING)
    return keep


_CONVICTED = re.compile(fz("pham") + r"\s*(?:cac\s*)?" + fz("toi") + r"|" + fz("ve toi") + "|" + fz("ve cac toi"))


def _offence_named_elsewhere(doc: Doc, clauses: list[tuple[int, int]], read: set[str]) -> str | None:
    """A catalogued offence that a sentence outside `clauses` (the court's reasoning: 'có đủ cơ sở kết luận
    bị cáo X phạm tội "A" và "B"') says the defendant the clauses name committed, and that is not among
    the charges `read`; None when the clauses name nobody or every such offence was read."""
    names = [n for a, b in clauses for n in _names_in(doc, a, b)]
    if not names or not read:
        return None
    name = names[0]
    covered = [(a, b) for a, b in clauses]
    for a, b in sentences(doc, 0, len(doc.text)):
        if any(x <= a < y for x, y in covered):
            continue
        f = doc.folded[a:b]
        if not _CONVICTED.search(f) or DISTRACTOR.search(f) or FEE.search(f):
            continue
        named = _names_in(doc, a, b)
        if len(named) != 1 or not same_person(named[0], name):
            continue
        # the names quoted after 'phạm tội', up to the next defendant named: OCR's specks at a line's start
        # ('. - tài sản” và “Lừa đảo ...”') cut the sentence short
        c = _CONVICTED.search(doc.folded, a, b)
        stop = min(len(doc.text), (c.end() if c else a) + 300)
        nxt = _NAMED.search(doc.folded, c.end() if c else a, stop)
        stop = nxt.start() if nxt else stop
        for m in _QUOTED.finditer(doc.text, a, stop):
            om = match_offence(m.group(1))
            if om is not None and om.score >= 0.95 and om.offence.name not in read:
                return om.offence.name
    return None


def _offence_key(name: str) -> str:
    """An offence's name without case, marks or OCR specks ('Cố ý gây thương .tích' ~ 'Cố ý gây thương tích')."""
    return " ".join(re.sub(r"[^\w\s]", "", fold(name)).split())


def _add(found: dict[str, Candidate], order: list[str], c: Candidate, article: str) -> None:
    c.article = article
    same = next((v for v in found if _offence_key(v) == _offence_key(c.value)), None)
    if same is not None:  # named again, or the same name with a speck in it: one charge
        if found[same].article == "?" and article != "?":  # the catalogue's spelling wins
            order[order.index(same)] = c.value
            found[c.value] = c.adjust(ev.OFFENCE_NAMED_AGAIN, weight=found.pop(same).conf)
            return
        found[same].adjust(ev.OFFENCE_NAMED_AGAIN, weight=c.conf)
        return
    found[c.value] = c
    order.append(c.value)


# --- articles ----------------------------------------------------------------------------------

_DIEU = re.compile(r"(?<![a-z])(?:cac\s+)?" + fz("dieu") + r"\s*(\d{1,3}(?:\s*(?:,|;|va|\s)\s*(?:" + fz("dieu")
                   + r"\s*)?\d{1,3}(?![\d/]))*)")
_LAW = re.compile(r"(?P<tths>" + fz("bo luat to tung hinh su") + r"|blttHS|blttHS|bltths|luat to tung)"
                  r"|(?P<blhs>" + fz("bo luat hinh su") + r"|blhs)"
                  r"|(?P<other>" + fz("luat thi hanh an") + "|" + fz("nghi quyet") + "|" + fz("bo luat dan su") + "|"
                  + fz("luat") + r"\s|" + fz("thong tu") + "|" + fz("nghi dinh") + ")")


def find_articles(doc: Doc, rng: Range, within: list[tuple[int, int]] | None = None
                  ) -> tuple[list[str], Span, list[str]]:
    """Penal Code articles cited in the operative part ('Áp dụng khoản 1 Điều 173; điểm s khoản 1
    Điều 51 Bộ luật Hình sự'); articles of other laws (procedure code, resolutions) are dropped.
    `within`: only the references in these clauses (the defendant's, when others are sentenced too)."""
    arts: list[str] = []
    words = []
    unsure: list[str] = []
    f = doc.folded
    for m in _DIEU.finditer(f, rng.start, rng.end):
        if within is not None and not any(a <= m.start() < b for a, b in within):
            continue
        nums = re.findall(r"\d{1,3}", m.group(1))
        law = _LAW.search(f, m.end(), min(rng.end, m.end() + 220))
        kind = None
        if law:
            # the nearest law name after the reference, unless another 'Điều' list of a different law intervenes
            kind = "blhs" if law.group("blhs") else ("tths" if law.group("tths") else "other")
        if kind in ("tths", "other"):
            continue
        sp = doc.span(m.start(1), m.end(1))
        for n in nums:
            n = str(int(n))
            if kind is None:
                unsure.append(n)
                continue
            if n not in arts:
                arts.append(n)
        words.extend(sp.words)
    page = doc.span(rng.start, rng.start + 1).page
    return arts, Span(words, page), unsure


# --- penalties ---------------------------------------------------------------------------------

# A word read this weakly right before a term's figure may be what is left of a lost part of the term.
TRACE_WEAK = 0.5
# Unexplained space beside a term's figure this many character widths wide could hold a lost 'N năm'.
LOST_PART_GAP = 2.5


def _trace_of_part(w: str, conf: float) -> bool:
    """Could word `w` (read at `conf`) be what is left of a term's lost years part: a digit, marks
    only, the unit 'năm' in lower case, number words in brackets, or a word read too weakly to say?"""
    t = w.strip()
    if conf < TRACE_WEAK or any(c.isdigit() for c in t) or not any(c.isalnum() for c in t):
        return True
    if fold(t) == "nam" and not starts_upper(t):
        return True
    inner = t.strip(".,;:'`\"")
    return inner.startswith("(") and inner.endswith(")") and words_to_int(inner[1:-1]) is not None


def part_lost_before(doc: Doc, d: Duration) -> bool:
    """A term without years ('3 (ba) tháng') right after a trace of another part ('7 (bảy) năm' under
    a stamp or in a font OCR reads as marks: '| (bảy)', '' 3 tháng'): its years may be lost, and
    the months, their words agreeing, read as the whole term."""
    if d.years or not (d.months or d.days) or d.unit_lost_before or d.months >= 12:
        return False  # a term of 12 months or more is written in months on purpose: no years were printed
    at = d.start  # the figure's word may carry a speck ('°09'): the words before that word
    while at > 0 and not doc.text[at - 1].isspace():
        at -= 1
    if _wide_gap_before(doc, at):
        return True  # an empty place before the figure, wide enough for 'N năm' (wiped out, no trace left)
    words = doc.span(max(0, at - 40), at).words[-2:]
    if not words:
        return False
    # right before the figure any trace; one word further only a figure, number words or 'năm'
    return _trace_of_part(words[-1].text, words[-1].confidence) or (
        len(words) == 2 and _strong_trace(words[0].text))


def _wide_gap_before(doc: Doc, at: int) -> bool:
    """Is there unexplained space right before the word at `at`, in its line, wide enough for a lost
    'N năm': more than LOST_PART_GAP character widths over the line's usual word gap (a gap so wide
    that it split the line into two segments counts too)."""
    seg = doc.segment_at(at)
    if seg is None or doc.source == "text_layer":
        return False
    k = next((i for i, (a, _) in enumerate(seg.offsets) if a == at), None)
    if k is None:
        return False
    w = seg.words[k]
    if k > 0:
        prev = seg.words[k - 1]
    else:
        before = [s for s in doc.segments[max(0, seg.index - 3):seg.index] if s.line == seg.line and s.page == seg.page]
        if not before:
            return False
        prev = before[-1].words[-1]
    line_words = [x for s in doc.segments[max(0, seg.index - 3):seg.index + 3] if s.line == seg.line
                  and s.page == seg.page for x in s.words]
    gaps = sorted(max(0.0, b.bbox[0] - a.bbox[2]) for a, b in zip(line_words, line_words[1:]))
    typical = gaps[len(gaps) // 2] if gaps else 0.0
    char_w = max((w.bbox[2] - w.bbox[0]) / max(1, len(w.text)), 0.6 * (w.bbox[3] - w.bbox[1]))
    return char_w > 0 and (w.bbox[0] - prev.bbox[2] - typical) / char_w > LOST_PART_GAP


def _strong_trace(w: str) -> bool:
    t = w.strip(".,;:'`\"")
    return (any(c.isdigit() for c in t) or (fold(t) == "nam" and not starts_upper(t))
            or (t.startswith("(") and t.endswith(")") and words_to_int(t[1:-1]) is not None))


# A term's figure read at least this sure needs no words to confirm it.
FIGURE_SURE = 0.9


def figure_weak(doc: Doc, d: Duration) -> bool:
    """A figure of the term ('3' of '3 năm 3 tháng') read below FIGURE_SURE, its words not agreeing
    and no second read agreeing: one glyph is the whole figure, and Tesseract's word confidence is
    the only witness of it ('9' read '3' at 0.85)."""
    if d.words_agree is True:
        return False
    figures = [w for w in doc.span(d.start, d.end).words if any(c.isdigit() for c in w.text)]
    return any(w.confidence < FIGURE_SURE and not w.verified for w in figures)


def term_doubts(doc: Doc, d: Duration) -> list[Adjustment]:
    """term_evidence, a trace of a lost part before the term (it may be longer), a weakly read figure."""
    out = term_evidence(doc, d)
    if part_lost_before(doc, d):
        out.append(ev.TERM_PART_LOST_BEFORE)
    if figure_weak(doc, d):
        out.append(ev.TERM_FIGURE_WEAK)
    return out


@dataclass
class Penalty:
    kind: str
    months: int | None = None
    probation: int | None = None
    fine: int | None = None
    conf: float = 0.0
    span: Span | None = None
    source: str = ""
    evidence: list[Adjustment] = field(default_factory=list)


def _kind_in(f: str) -> str | None:
    for k in penalties()["kinds"]:
        for p in k["match"]:
            if re.search(r"(?<![a-z])" + fz(p, loose=False) + r"(?![a-z])", f):
                return k["value"]
    return None


_SPECK = re.compile(r"(?<=\s)[.,:'`~^*_|]+(?=\s)")
_SUSPENSION = re.compile(fz("an treo", loose=False) + "|" + fz("thu thach", loose=False) + "|" + fz("cho huong an", loose=False))


def penalty_in_clause(doc: Doc, a: int, b: int) -> Penalty | None:
    f = doc.folded[a:b]
    t = doc.text
    m = re.search(fz("xu phat") + "|" + fz("phat") + r"\s+" + fz("bi cao") + "|" + fz("hinh phat chung"), f)
    if not m:
        return None
    body_a = a + m.end()
    # specks read as lone marks between words ('hưởng án . treo') are blanked (same length: offsets hold)
    fb = _SPECK.sub(lambda x: " " * len(x.group()), doc.folded[body_a:b])
    durs = find_durations(doc.folded, t, body_a, b)
    pen = None
    if durs:
        d = durs[0]
        after = doc.folded[d.end:min(b, d.end + 40)]
        if re.match(r"\s*[,]?\s*" + fz("cai tao khong giam giu", loose=False), after):
            pen = Penalty("non_custodial_reform", d.total_months)
        elif re.match(r"\s*[,]?\s*tu\b", after):
            pen = Penalty("imprisonment", d.total_months)
            if re.search(fz("an treo", loose=False), fb):
                pen.kind = "suspended_imprisonment"
                pm = re.search(fz("thu thach", loose=False), fb)
                if pm:
                    pds = [x for x in durs if x.start >= body_a + pm.end()]
                    if pds:
                        pen.probation = pds[0].total_months
                        if pds[0].words_agree is False:
                            pen.evidence.append(ev.PROBATION_WORDS_DISAGREE)
        if pen is not None and pen.kind == "imprisonment" and _SUSPENSION.search(doc.folded, d.end, min(len(doc.folded), b + 80)):
            # 'án treo' / 'thử thách' just past this clause: a split sentence may have cut the suspension off
            pen.evidence.append(ev.SUSPENSION_NEARBY_TERM)
        if pen is not None and pen.kind == "imprisonment":
            # several terms in one clause ('03 năm tù về tội A và 01 năm tù về tội B'): sum, flagged
            terms = [x for x in durs[1:] if re.match(r"\s*[,]?\s*tu\b", doc.folded[x.end:x.end + 10])]
            if terms:
                pen.months = d.total_months + sum(x.total_months for x in terms)
                pen.source = "summed"
        if pen is not None:
            pen.span = doc.span(d.start, d.end)
            pen.evidence += term_doubts(doc, d)
    if pen is None and re.search(r"(?<![a-z])" + fz("tu hinh", loose=False) + r"(?![a-z])", fb):
        pen = Penalty("death")
    elif pen is None and re.search(fz("chung than", loose=False), fb):
        pen = Penalty("life_imprisonment")
    if pen is None and re.search(fz("phat tien", loose=False), fb[:80]):
        pen = Penalty("fine")
    if pen is None and re.search(fz("truc xuat", loose=False), fb[:80]):
        pen = Penalty("expulsion")
    if pen is None:
        return None
    if pen.span is None:
        pen.span = doc.span(a + m.start(), a + m.end())
    return pen


def find_fine(doc: Doc, clauses: list[tuple[int, int]]) -> Candidate | None:
    for a, b in clauses:
        f = doc.folded[a:b]
        m = re.search(fz("phat tien", loose=False), f)
        if not m or FEE.search(f[:m.start()]):
            continue
        for mo in find_money(doc.folded, doc.text, a + m.end(), b):
            if FEE.search(doc.folded[a + m.end():mo.start]):
                break
            sp = doc.span(mo.start, mo.end)
            c = Candidate(mo.value, base(sp, 0.96), sp, "fine")
            if mo.words_agree is True:
                c.adjust(ev.MONEY_WORDS_AGREE)
            elif mo.words_agree is False:
                c.adjust(ev.MONEY_WORDS_DISAGREE)
            if not mo.well_formed:
                c.adjust(ev.MONEY_ILL_FORMED)
            return c
    return None


# the aggregate of several penalties: 'tổng hợp hình phạt', 'hình phạt chung', 'buộc bị cáo phải chấp hành'
# (fz lets OCR break any of them across lines or glue words)
_AGG_ANCHOR = re.compile("|".join([
    fz("tong hop hinh phat"), fz("hinh phat chung"), fz("buoc bi cao phai chap hanh"), fz("buoc bi cao chap hanh"),
    fz("buoc") + r"[^.;]{0,60}?" + fz("chap hanh") + r"[^.;]{0,40}?" + fz("chung"),
    fz("chung cho ca"), fz("tong hop") + r"\s*(?:voi\s*)?" + fz("hinh phat"),
]))
_AGG_VALUE = re.compile(fz("hinh phat chung") + "|" + fz("chung cho ca") + r"[^.;]{0,30}?" + fz("la")
                        + "|" + fz("chung la") + "|" + fz("chung cho") + "|" + fz("chap hanh"))
_TERM_AFTER = re.compile(r"\s*[,]?\s*(tu|cai\s*tao\s*khong\s*giam\s*giu)\b")
_NOT_TERM_BEFORE = re.compile("(" + "|".join([fz("thu thach"), fz("thoi han"), fz("ke tu"), fz("tu ngay"),
                                               fz("da chap hanh"), fz("con lai")]) + r")[^.;]{0,25}$")


def _terms(doc: Doc, a: int, b: int) -> list:
    """Prison / reform terms printed in [a, b): a duration followed by 'tù' or 'cải tạo không giam giữ'."""
    out = []
    for d in find_durations(doc.folded, doc.text, a, b):
        if not _TERM_AFTER.match(doc.folded[d.end:d.end + 30]):
            continue
        if _NOT_TERM_BEFORE.search(doc.folded[max(a, d.start - 40):d.start]):
            continue
        out.append(d)
    return out


_NEXT_SENTENCED = re.compile(fz("xu phat") + "|" + fz("tuyen bo"))
# the aggregate's words with every space, mark and speck squeezed out ('Tổng hợp hình phạ t', 'hình
# phạt.\n chung là'): OCR breaks them where _AGG_ANCHOR cannot follow
_AGG_SQUEEZED = re.compile(r"tonghop(?:hinh)?phat|hinhphatchung|phatchungla|chungchoca")


def _aggregate_follows(doc: Doc, last: tuple[int, int], rng: Range) -> bool:
    """Does an aggregate ('Tổng hợp hình phạt ... buộc bị cáo ... chấp hành hình phạt chung là ...') close
    the defendant's last clause or follow it before anyone else is sentenced? It is theirs even when OCR
    misread the name it repeats ('Phan Xuân êm'), so a term read before it is not the penalty."""
    a = last[0]
    nxt = _NEXT_SENTENCED.search(doc.folded, last[1], rng.end)
    b = min(rng.end, a + 400, nxt.start() if nxt else rng.end)
    squeezed = re.sub(r"[^a-z0-9]", "", doc.folded[a:b])
    return _AGG_SQUEEZED.search(squeezed) is not None


def find_penalty(doc: Doc, clauses: list[tuple[int, int]], rng: Range) -> tuple[Penalty | None, list[Adjustment]]:
    """The principal penalty of the defendant. With several charges the aggregate ('tổng hợp hình phạt ...
    hình phạt chung ... là N năm tù') is the answer; without a readable aggregate the terms are summed and
    the result marked for review (evidence PENALTY_SUMMED_TERM, AGGREGATE_UNREAD)."""
    notes: list[Adjustment] = []
    per_charge: list[Penalty] = []
    aggregate: Penalty | None = None
    agg_seen = False
    n_terms = 0
    pending_agg = False
    for i, (a, b) in enumerate(clauses):
        f = doc.folded[a:b]
        anchor = _AGG_ANCHOR.search(f)
        if anchor or pending_agg:
            agg_seen = True
            m = _AGG_VALUE.search(f, anchor.start() if anchor else 0) or anchor
            p = None
            if m is not None or pending_agg:
                start = a + (m.start() if m else 0)
                p = penalty_in_clause(doc, start, b) if m is not None else None
                if p is None:
                    ds = _terms(doc, a + (m.end() if m else 0), b)
                    if ds:
                        d = ds[0]
                        kind = "non_custodial_reform" if "cai" in doc.folded[d.end:d.end + 8] else "imprisonment"
                        p = Penalty(kind, d.total_months, span=doc.span(d.start, d.end), evidence=term_doubts(doc, d))
            if p is not None:
                aggregate = p
                aggregate.source = "aggregate"
                pending_agg = False
            else:
                # the anchor without its figure: OCR may have split the sentence; look at the next clause once
                pending_agg = not pending_agg
            continue
        p = penalty_in_clause(doc, a, b)
        if p is not None:
            p.source = p.source or "xu_phat"
            per_charge.append(p)
            n_terms += max(1, len(_terms(doc, a, b)))
            continue
        # a continuation clause without 'xử phạt' ('...; 78 tháng tù về tội B'): another term
        ts = _terms(doc, a, b)
        if ts and per_charge and per_charge[-1].kind in ("imprisonment", "non_custodial_reform"):
            for d in ts:
                extra = Penalty(per_charge[-1].kind, d.total_months, span=doc.span(d.start, d.end), source="xu_phat")
                per_charge.append(extra)
                n_terms += 1
    if aggregate is not None:
        if agg_seen and per_charge:
            top = max((p.months or 0) for p in per_charge)
            if aggregate.months is not None and aggregate.months < top:
                aggregate.evidence.append(ev.AGGREGATE_BELOW_TERM)
        return aggregate, notes
    if agg_seen or (per_charge and clauses and _aggregate_follows(doc, clauses[-1], rng)):
        notes.append(ev.AGGREGATE_UNREAD)
    if not per_charge:
        return None, notes
    if len(per_charge) == 1:
        p = per_charge[0]  # (source 'summed' when one clause held several terms)
        if agg_seen:
            p.evidence.append(ev.AGGREGATE_UNREAD)
        return p, notes
    kinds = {p.kind for p in per_charge}
    if kinds <= {"imprisonment"} or kinds <= {"non_custodial_reform"}:
        total = sum(p.months or 0 for p in per_charge)
        p = Penalty(per_charge[0].kind, total, span=per_charge[0].span, source="summed")
        p.evidence.append(ev.PENALTY_SUMMED_TERM)
        return p, notes
    p = per_charge[0]
    p.evidence.append(ev.PENALTY_FIRST_OF_MANY)
    p.source = "first_of_many"
    return p, notes
