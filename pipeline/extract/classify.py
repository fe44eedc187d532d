"""Document kind: judgment / decision / certificate, and the decision kind."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.core.types import DocType

from .catalogues import kinds
from .layout import Doc, Segment, Span
from .normalize import fz, is_upper_word

HEAD_SEGMENTS = 40  # the title is within the first segments of page 1


@dataclass
class Title:
    doc_type: DocType
    segment: Segment
    conf: float
    text_after: str  # folded text of the title and the next few lines (decision subject)
    after_start: int
    after_end: int


# a line that opens the recitals or names the head who decides: not the decision's subject
_RECITAL = re.compile(r"\W*(?:" + fz("can cu") + "|" + fz("xet") + "|" + fz("chanh an") + "|" + fz("giam thi") + "|"
                      + fz("pho chanh an") + "|" + fz("thu truong") + r")(?![a-z])")
# a kind phrase inside the name of a law or a body ('Luật Thi hành án hình sự', 'Cơ quan thi hành án
# hình sự') says nothing about the decision's kind
_NAMED_BEFORE = re.compile(r"(?:" + fz("luat") + "|" + fz("co quan") + "|" + fz("cuc") + "|" + fz("phong") + "|"
                           + fz("doi") + r")\s*$")


def _kind_phrases(rx: str, folded: str):
    """Matches of a kind phrase in `folded`, except those inside a law's or a body's name."""
    return (m for m in re.finditer(rx, folded) if not _NAMED_BEFORE.search(folded[max(0, m.start() - 12):m.start()]))


def find_title(doc: Doc) -> Title | None:
    segs = doc.segments[:HEAD_SEGMENTS]
    for i, s in enumerate(segs):
        if s.page != segs[0].page or s.top > 0.5 * s.page_height:
            break
        f = doc.folded[s.start:s.end].strip()
        for t in kinds()["titles"]:
            m = re.match(r"\W*" + fz(t["match"]) + r"\b", f)
            if not m:
                continue
            rest = f[m.end():].strip()
            words = s.text.split()
            upper = sum(is_upper_word(w) for w in words) / max(1, len(words))
            # a title stands on its own line, in capitals; 'Quyết định: ...' in prose is not one
            if rest.startswith(":") and t["doc_type"] == "decision":
                continue
            if len(f) > 90 or upper < 0.6:
                continue
            if re.match(r"\W*(so|s0)\b", rest):  # 'Bản án số: ...' header line
                continue
            j = min(len(doc.segments), i + 3)
            for k in range(i + 1, j):  # the subject lines end where the head's title or the recitals begin
                if _RECITAL.match(doc.folded[doc.segments[k].start:doc.segments[k].end]):
                    j = k
                    break
            a, b = s.start, doc.segments[j - 1].end
            ocr = Span(s.words, s.page).ocr
            conf = 0.9 if len(rest) < 70 else 0.75
            conf *= min(1.0, 0.2 + 0.85 * ocr)
            return Title(t["doc_type"], s, conf, doc.folded[a:b], a, b)
    return None


def type_from_symbol(number: str | None) -> DocType | None:
    if not number:
        return None
    sym = number.split("/")[-1].upper()
    for r in kinds()["number_symbols"]:
        if re.search(r["match"], sym):
            return r["doc_type"]
    return None


def body_evidence(doc: Doc) -> dict[DocType, float]:
    f = doc.folded
    ev: dict[DocType, float] = {"judgment": 0.0, "decision": 0.0, "certificate": 0.0}
    if re.search(fz("nhan danh") + r"\s*" + fz("nuoc cong hoa"), f):
        ev["judgment"] += 0.5
    if re.search(fz("hoi dong xet xu"), f):
        ev["judgment"] += 0.3
    if re.search(fz("xu phat bi cao") + "|" + fz("tuyen bo bi cao"), f):
        ev["judgment"] += 0.3
    if re.search(fz("chung nhan") + r"\s*[:]?\s*(ong|ba|anh|chi)\b", f):
        ev["certificate"] += 0.4
    if re.search(r"\bdieu\s*1\s*[.:]", f):
        ev["decision"] += 0.3
    return ev


def classify(doc: Doc, number: str | None) -> tuple[DocType | None, float, Title | None]:
    title = find_title(doc)
    sym_type = type_from_symbol(number)
    ev = body_evidence(doc)
    votes: dict[DocType, list[float]] = {}
    if title:
        votes.setdefault(title.doc_type, []).append(title.conf)
    if sym_type:
        votes.setdefault(sym_type, []).append(0.85)
    for k, v in ev.items():
        if v:
            votes.setdefault(k, []).append(min(0.7, v))
    if not votes:
        return None, 0.0, title

    def noisy_or(xs: list[float]) -> float:
        p = 1.0
        for x in xs:
            p *= 1 - x
        return 1 - p

    scores = {k: noisy_or(v) for k, v in votes.items()}
    best = max(scores, key=lambda k: scores[k])
    others = max([v for k, v in scores.items() if k != best], default=0.0)
    conf = scores[best] * (1 - 0.8 * others)
    if conf < 0.3:
        return None, conf, title
    return best, min(0.995, conf), title


def decision_kind(doc: Doc, title: Title | None, doc_type: str | None) -> tuple[str | None, float, Span | None]:
    """Kind of a decision/certificate from its title (and subject line), else its body."""
    pats = kinds()["decision_kinds"]
    if title is not None:
        for p in pats:
            for phrase in p["match"]:
                m = next(_kind_phrases(fz(phrase, loose=False), title.text_after), None)
                if m:
                    a = title.after_start + m.start()
                    b = title.after_start + m.end()
                    sp = doc.span(a, b)
                    conf = min(1.0, 0.25 + 0.8 * sp.ocr) * (0.97 if phrase == p["match"][0] else 0.93)
                    if p["kind"] == "expunge" and doc_type == "certificate":
                        conf *= 1.0
                    return p["kind"], conf, sp
    # fallback: most frequent kind phrase in the body
    best = None
    for p in pats:
        for phrase in p["match"]:
            ms = list(_kind_phrases(fz(phrase, loose=False), doc.folded))
            if ms and (best is None or len(ms) > best[0]):
                best = (len(ms), p["kind"], ms[0])
            if ms:
                break
    if best:
        sp = doc.span(best[2].start(), best[2].end())
        return best[1], 0.6 * min(1.0, 0.2 + 0.85 * sp.ocr), sp
    return None, 0.0, None


# --- a judgment's trial level without its number ----------------------------------------------------

# what names the instance of the trial itself, never the judgment it reviews: the title ('BẢN ÁN HÌNH SỰ
# PHÚC THẨM') and the panel ('Thành phần Hội đồng xét xử sơ thẩm gồm có'); 'bản án hình sự sơ thẩm số ...'
# in an appeal's text names the first judgment, so the body's other mentions do not count
_LEVEL_WORDS = r"\s*(?P<lvl>" + fz("so tham") + "|" + fz("phuc tham") + ")"
_LEVEL_TITLE = re.compile(r"^\W*" + fz("ban an") + r"\s*" + fz("hinh su") + _LEVEL_WORDS + r"\W*$")
_LEVEL_PANEL = re.compile(fz("hoi dong xet xu") + _LEVEL_WORDS + r"\s*" + fz("gom"))
LEVEL_BOTH = 0.95  # method: the title and the panel name the same instance
LEVEL_ONE = 0.85  # one of them only


def _level(word: str) -> str:
    return "PT" if word.lstrip().startswith("p") else "ST"


def trial_level_from_text(doc: Doc, title: Title | None) -> tuple[str, float, Span] | None:
    """A judgment's trial level ('ST'/'PT') from its title and its panel line, for when its number's
    symbol (HS-ST / HS-PT) was not read: (level, method factor, span); None when neither names it or
    they disagree."""
    found: list[tuple[str, Span]] = []
    for s in doc.segments[:HEAD_SEGMENTS]:
        f = doc.folded[s.start:s.end]
        m = _LEVEL_TITLE.match(f)
        if m and (title is None or s.index >= title.segment.index):
            found.append((_level(m.group("lvl")), Span(s.words, s.page)))
            break
    m = _LEVEL_PANEL.search(doc.folded, 0, doc.segments[min(len(doc.segments), HEAD_SEGMENTS + 20) - 1].end)
    if m:
        found.append((_level(m.group("lvl")), doc.span(m.start("lvl"), m.end("lvl"))))
    levels = {lvl for lvl, _ in found}
    if len(levels) != 1:
        return None
    span = found[0][1]
    for _, sp in found[1:]:
        span = span + sp
    return found[0][0], LEVEL_BOTH if len(found) == 2 else LEVEL_ONE, span
