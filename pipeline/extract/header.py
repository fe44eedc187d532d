"""Header fields: document number, issue date, issuing body.

The header of a Vietnamese administrative/court document (Decree 30/2020
Appendix I) has the issuing body in the top-left column (often over 2-3 lines,
a parent body above it, a province below it), the national motto top-right,
'Số: ...' under the body, and the place-date line ('Hà Nội, ngày 18 tháng 3
năm 2024') under the motto. Judgments often put 'Bản án số: ...' and
'Ngày: 18-3-2024' under the court instead.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from . import evidence as ev
from .catalogues import bodies, high_court_city, place_status, province_2025, province_end, provinces_folded, units_2025
from .confidence import Candidate, base, number_candidate
from .dates import DateMatch, find_dates, make_iso
from .digits import DIGIT_REPAIR
from .evidence import applied
from .layout import Doc, Segment, Span
from .normalize import canon_toa, collapse_ws, fold, fz, is_syllable, is_upper_word, nfc, title_name

# 'Số:' at the start of a header line, after at most a speck or a two-character scrap of a seal
# ('| v2 Số: 593/QĐ-CA')
_SO = re.compile(r"^\W{0,3}(?:\w{1,2}\W{1,3}(?=so|s0|ban an))?(?:(?:ban an|quyet dinh|giay chung nhan|bản án)\s*)?"
                 r"(?:so|s0|s6|sd|sb|[bz2$]o(?=\s*:)|\$6(?=\s*:))\s*[:;.,]?\s*-?\s*", re.I)
_NUMBER = re.compile(r"^(?P<n>[0-9OoIlLSsB|]{1,6})/(?:(?P<y>[0-9OoIlLSsB|]{4})/)?(?P<sym>[A-ZĐÐ0-9]{1,6}(?:-[A-ZĐÐ0-9]{1,6}){0,3})$")
_LETTER_REPAIR = {"0": "O", "5": "S", "1": "I", "8": "B", "6": "G", "2": "Z", "Ð": "Đ"}
KNOWN_SYMBOLS = {"HS-ST", "HS-PT", "HSST", "HSPT", "QĐ-CA", "QĐ-TA", "QĐ-THA", "QĐ", "GCN", "QĐ-TG", "QĐ-XAT",
                 "GCN-TG", "GCN-XAT", "QĐ-TTG", "QĐ-CAT", "QĐ-THAHS", "QĐ-GTHA", "QĐ-HTHA", "QĐ-TGT"}


def _is_noise(s: Segment) -> bool:
    ws = s.words
    if not ws:
        return False
    n = sum(len(w.text) for w in ws)
    mean = sum(w.confidence * len(w.text) for w in ws) / max(1, n)
    return mean < 0.4 and ws[0].confidence < 1.0


def header_limit(doc: Doc, title_seg: Segment | None) -> int:
    """Index of the first segment after the header (the title, or ~35% down page 1)."""
    if title_seg is not None:
        return title_seg.index
    first = doc.first_page_segments()
    for s in first:
        f = doc.folded[s.start:s.end]
        if _is_noise(s):
            continue  # a scanner-edge streak or speckle read as a line of junk
        if s.top > 0.4 * s.page_height or re.match(r"^\W*" + fz("nhan danh"), f):
            return s.index
        words = s.text.split()
        upper = sum(is_upper_word(w) for w in words) / max(1, len(words))
        if len(s.text) > 60 and upper < 0.5 and not _is_motto(f) and not _PLACE_DATE.match(f):
            return s.index
    return len(first)


# --- document number ------------------------------------------------------------

@dataclass
class Number:
    value: str
    number: str
    year: int | None
    symbol: str
    repairs: int
    known_symbol: bool


def _unmarked(c: str) -> str:
    base = unicodedata.normalize("NFD", c)[:1]
    return base if "A" <= base <= "Z" else c


def parse_number(raw: str) -> Number | None:
    s = nfc(raw).strip()
    s = re.sub(r"\s+", "", s)
    s = s.replace("Ð", "Đ").replace("đ", "Đ").upper()
    s = re.sub(r"[–—‐‑−_]", "-", s)
    s = re.sub(r"[\\|]", "/", s) if s.count("/") < 1 else s
    s = s.strip(".,;:)(\"'")
    # a dash after the symbol ('421/2021/QĐ-CA-'): a stroke, or a last part lost -- a repair
    cut = len(s) - len(s.rstrip("-"))
    s = s.rstrip("-")
    # a symbol's letters carry no tone marks ('QĐ-CÁ', 'QĐ-THẢ'): OCR put them there; each is a repair
    marked = 0
    if "/" in s:
        head, _, sym_raw = s.rpartition("/")
        plain = "".join(c if c == "Đ" else _unmarked(c) for c in sym_raw)
        marked = sum(a != b for a, b in zip(sym_raw, plain))
        s = head + "/" + plain
    # a slash read as a slash and a letter ('432⁄Z2024/HS-PT'): the letter before the year is the stroke again
    s, stroke = re.subn(r"^([0-9OoIlLSsB|]{1,6}/)[A-Z](?=(?:19|20)[0-9]{2}/)", r"\1", s)
    m = _NUMBER.match(s)
    if not m:
        return None
    rep = marked + (1 if cut else 0) + stroke
    num = ""
    for c in m.group("n"):
        if c.isdigit():
            num += c
        else:
            num += DIGIT_REPAIR.get(c, "?")
            rep += 1
    year = None
    ytxt = ""
    if m.group("y"):
        for c in m.group("y"):
            if c.isdigit():
                ytxt += c
            else:
                ytxt += DIGIT_REPAIR.get(c, "?")
                rep += 1
        if not ytxt.isdigit():
            return None
        year = int(ytxt)
        if not 1950 <= year <= 2100:
            return None
    sym = ""
    for c in m.group("sym"):
        if c.isdigit() and c in _LETTER_REPAIR:
            sym += _LETTER_REPAIR[c]
            rep += 1
        else:
            sym += c
    if re.search(r"(^|-)QD(-|$)", sym):
        sym = re.sub(r"(^|-)QD(-|$)", r"\1QĐ\2", sym)
        rep += 1
    if not num.isdigit():
        return None
    if sym not in KNOWN_SYMBOLS:
        # one letter of a known symbol misread ('QO-CA', 'HB-ST', 'H9-ST'): that symbol, as a repair
        near = [k for k in KNOWN_SYMBOLS if len(k) == len(sym) and sum(a != b for a, b in zip(k, sym)) == 1]
        if len(near) == 1 and "-" in sym:
            sym = near[0]
            rep += 1
    value = num + "/" + (ytxt + "/" if ytxt else "") + sym
    return Number(value, num, year, sym, rep, sym in KNOWN_SYMBOLS)


# A received stamp ('VĂN THƯ - ĐẾN', 'CÔNG VĂN ĐẾN') has its own 'Số:' and 'Ngày:' entries,
# handwritten by the office that received the paper: its number and date are not the document's.
_STAMP_TITLE = re.compile(r"\b(?:van\s*thu|cong\s*van)\W{0,4}(?:-\W{0,3})?den\b|^\W*den\W*$")
STAMP_LINES = 4  # entries below a stamp's title that are the stamp's


def stamp_segments(doc: Doc) -> set[int]:
    """Indexes of the segments of received stamps on the first page: the title, and the short
    lines under it within the title's width."""
    out: set[int] = set()
    first = [s for s in doc.segments if s.page == doc.segments[0].page] if doc.segments else []
    for t in first:
        if not _STAMP_TITLE.search(doc.folded[t.start:t.end]):
            continue
        x0, y0, x1, y1 = t.bbox
        h = max(1.0, y1 - y0)
        pad = 0.6 * (x1 - x0)  # handwritten entries run wider than the stamped title
        out.add(t.index)
        for s in first:
            b = s.bbox
            if y0 < b[1] <= y1 + STAMP_LINES * 1.6 * h and b[0] >= x0 - pad and b[2] <= x1 + pad \
                    and len(s.text) <= 30:
                out.add(s.index)
    return out


# Symbols of the procedural papers a judgment or decision cites, never of the document itself:
# a case's acceptance (TLST-HS, TLPT-HS: thụ lý), the order to bring it to trial (QĐXXST-HS),
# the indictment (CT-VKS...), a procuracy's decision or protest (QĐ-VKS, KN-...)
_CITED_SYMBOL = re.compile(r"^(?:TL(?:ST|PT)|QĐXX|CT-|QĐ-VKS|KN-|KNPT)")


def find_document_number(doc: Doc, limit: int) -> list[Candidate]:
    cands = []
    stamp = stamp_segments(doc)
    segs = [s for s in doc.segments[:max(limit, 1) + 2] if s.index not in stamp]
    for s in segs:
        f = doc.folded[s.start:s.end]
        m = _SO.match(f)
        if not m:
            continue
        a = s.start + m.end()
        rest = doc.text[a:s.end]
        # cut at 'ngày' (same line date) or wide text after the number
        cut = re.search(r"\s(ngày|ngay|Ngày)\b", rest)
        if cut:
            rest = rest[:cut.start()]
        raw = rest
        num = parse_number(raw)
        if num is None:
            # the number may be split by OCR into a few tokens followed by prose; try the prefix
            toks = raw.split()
            # a place name run on from the place-date line ('203/2017/QĐ-CA_ Ninh Kiều, ngày ...') is no part of it
            words = [k for k, t in enumerate(toks) if re.match(r"^[A-ZĐ][a-zđà-ỹ]{2,}", nfc(t))]
            toks = toks[:words[0]] if words else toks
            for k in range(len(toks), 0, -1):
                num = parse_number("".join(toks[:k]))
                if num:
                    raw = " ".join(toks[:k])
                    break
        if num is None or _CITED_SYMBOL.match(num.symbol):
            continue  # not a number, or another document's the text cites ('thụ lý số 186/2016/TLST-HS')
        method = 0.985 if f.lstrip().startswith("so") else 0.97
        cands.append(_checked(number_candidate(doc, num.value, a, a + len(raw), method, "so_line", num.repairs,
                                               per_repair=ev.NUMBER_DIGITS_REPAIRED), num))
        break  # the first 'Số' line of the header is the document's own number
    title = title_restatement(doc, limit)
    if title is not None and title.number is not None:
        num, a, b = title.number
        cands.append(_checked(number_candidate(doc, num.value, a, b, TITLE_METHOD, "title_number", num.repairs,
                                               per_repair=ev.NUMBER_DIGITS_REPAIRED), num))
    return cands


def _checked(c: Candidate, num: Number) -> Candidate:
    """A number candidate with what its symbol and year tell."""
    if not num.known_symbol:
        c.adjust(ev.SYMBOL_UNKNOWN)
    # symbols are abbreviations of two letters or more: 'QĐ-H' lost the rest of 'QĐ-HPT'
    if re.search(r"(?:^|-)[A-ZĐ]$", num.symbol) is not None:
        c.adjust(ev.SYMBOL_ONE_LETTER)
    if num.year is None:
        c.adjust(ev.NUMBER_NO_YEAR)
    return c


# A judgment's title line restates its number and date ('BẢN ÁN 528/2024/HSPT NGÀY 20/11/2024 VỀ TỘI
# BUÔN LẬU'): a second reading of both, away from the seal and the initials over the header's 'Số:' line
_TITLE_RESTATED = re.compile(r"^\W{0,3}ban\s*an\s+(?P<num>[0-9oilsb|][^\n]{2,30}?)\s*(?P<ngay>ngay|ng[a-z]{0,2}(?=\W|$))")
TITLE_METHOD = 0.95
TITLE_SEGMENTS = 4  # the title is the header's end, or a line or two below it


@dataclass
class TitleRestatement:
    number: tuple[Number, int, int] | None  # the number and its text offsets
    date: DateMatch | None


def title_restatement(doc: Doc, limit: int) -> TitleRestatement | None:
    """The number and date restated in a judgment's title line, if any."""
    segs = [s for s in doc.segments[:limit + TITLE_SEGMENTS] if s.page == doc.segments[0].page] if doc.segments else []
    for s in segs:
        f = doc.folded[s.start:s.end]
        m = _TITLE_RESTATED.match(f)
        if not m:
            continue
        a, b = s.start + m.start("num"), s.start + m.end("num")
        num = parse_number(doc.text[a:b])
        if num is not None and _CITED_SYMBOL.match(num.symbol):
            continue
        ds = [d for d in find_dates(doc.folded, s.start + m.start("ngay"), s.end) if d.start - (s.start + m.end("ngay")) <= 3]
        if num is None and not ds:
            continue
        return TitleRestatement((num, a, b) if num is not None else None, ds[0] if ds else None)
    return None


# --- issue date -----------------------------------------------------------------------

_PLACE_DATE = re.compile(r"^\W{0,2}(?P<place>[a-z][a-z01 .\-']{1,40}?)\s*,\s*(?=ngay)")


def find_issue_date(doc: Doc, limit: int, doc_type: str | None) -> list[Candidate]:
    cands: list[Candidate] = []
    stamp = stamp_segments(doc)
    for s in doc.segments:
        f = doc.folded[s.start:s.end]
        m = _PLACE_DATE.match(f)
        if not m or len(f) > 80:
            continue
        place = doc.text[s.start + m.start("place"):s.start + m.end("place")].strip()
        words = place.split()
        if not words or not words[0][:1].isupper() or len(words) > 6:
            continue
        ds = find_dates(doc.folded, s.start + m.end(), s.end)
        if not ds:
            continue
        d = ds[0]
        in_header = s.index <= limit + 3
        cands.append(number_candidate(doc, d.iso, d.start, d.end, 0.985 if in_header else 0.93, "place_date" if in_header else "place_date_late", d.repairs))
        if in_header:
            break
    # 'Ngày: 18-3-2024' / 'Ngày 18 tháng 3 năm 2024' under the number in the header
    for s in doc.segments[:limit + 1]:
        if s.index in stamp:
            continue
        f = doc.folded[s.start:s.end]
        if not re.match(r"^\W{0,2}ngay\s*[:.;,]?\s*[0-9oil|]", f) or len(f) > 45:
            continue
        ds = find_dates(doc.folded, s.start, s.end)
        if ds:
            d = ds[0]
            cands.append(number_candidate(doc, d.iso, d.start, d.end, 0.97, "header_date", d.repairs))
            break
    title = title_restatement(doc, limit)
    if title is not None and title.date is not None:
        d = title.date
        cands.append(number_candidate(doc, d.iso, d.start, d.end, TITLE_METHOD, "title_date", d.repairs))
    if not any(c.source in ("place_date", "header_date") for c in cands):
        c = _damaged_place_date(doc, limit, stamp)
        if c is not None:
            cands.append(c)
    if doc_type == "judgment":
        # trial/pronouncement date in the opening paragraph: weak support only
        rx = re.compile(r"(?:^|\n)\W{0,3}(?:trong\s+)?(?:cac\s+)?ngay\s+")
        for m in rx.finditer(doc.folded):
            seg = doc.segment_at(m.end())
            if seg is None or seg.index > 80:
                break
            ds = [d for d in find_dates(doc.folded, m.start(), min(len(doc.folded), m.end() + 60))]
            ctx = doc.folded[m.end():m.end() + 160]
            if ds and ds[0].start - m.start() < 12 and re.search(r"xet\s*xu|tuyen\s*an", ctx):
                d = ds[0]
                sp = doc.span(d.start, d.end)
                cands.append(Candidate(d.iso, base(sp, 1.0), sp, "trial_date", [applied(ev.TRIAL_DATE_AS_ISSUE)]))
                break
    return cands


# The place-date line with a word of it damaged by a seal, initials or a stamp: 'Lộng,Thành;ngày 10 tháng 4
# nữm 2025', 'Đắk Lắk, ngày 22 SE 12 năm 2016', 'Vũng. TU "hgày 3 tháng|2 năm 2025'. Day, month and year
# must be there as figures; 'tháng' and 'năm' may be any short word; each word not read as itself is a repair.
_D = r"[0-9oil|]{1,2}"
_DAMAGED_DATE = re.compile(r"(?<![a-z0-9])(?P<ngay>ngay|[nh]g[a-z]{0,2}y|[nh]ga(?=\W))\W{0,3}(?P<d>" + _D + r")\W{0,3}"
                           r"(?P<thang>[a-z]{1,6})?\W{0,3}(?P<m>" + _D + r")\W{0,3}"
                           r"(?P<nam>[a-z]{1,4})?\W{0,3}(?P<y>(?:19|20)[0-9oil|]{2})(?![0-9])")
DAMAGED_METHOD = 0.9
DAMAGED_TOP = 0.3  # of the page's height: the place-date line is in the header


def _damaged_place_date(doc: Doc, limit: int, stamp: set[int]) -> Candidate | None:
    """The issue date from a place-date line whose words OCR damaged, or None."""
    for s in doc.segments[:limit + 3]:
        if s.page != doc.segments[0].page or s.index in stamp or s.top > DAMAGED_TOP * s.page_height:
            continue
        f = doc.folded[s.start:s.end]
        m = _DAMAGED_DATE.search(f)
        if m and re.search(r"sinh\W*$", f[:m.start()]):
            continue  # a birth date ('sinh ngày 04/05/1996') of a certificate whose title was not read
        # a place before the date ('Đắk Lắk, ngày'): a stamp's 'Ngày: 11/6/2026' entry has none
        if not m or len(f) > 60 or sum(c.isalpha() for c in f[:m.start()]) < 2 or _SO.match(f):
            continue
        if re.search(r"[0-9]\s*/|" + fz("can cu"), f[:m.start()]):
            continue  # the date of a paper the text cites ('... số 36/2021/HS-ST ngày 4/5/2021')
        iso, rep = make_iso(m.group("d"), m.group("m"), m.group("y"))
        if iso is None:
            continue
        rep += (m.group("ngay") != "ngay") + (m.group("thang") != "thang") + (m.group("nam") != "nam")
        a, b = s.start + m.start("d"), s.start + m.end("y")
        return number_candidate(doc, iso, a, b, DAMAGED_METHOD, "place_date_damaged", rep)
    return None


# --- issuer --------------------------------------------------------------------------------

_SKIP_LINE = re.compile(r"^\W*(so|s0|ngay|ban an so|quyet dinh so|v/v|ve viec|-{2,}|_{2,}|\*)")
# the document's title: below the issuer, never part of it ('QUYẾT ĐỊNH' centred under a short left column)
_TITLE_LINE = re.compile(r"^\W*(?:" + fz("quyet dinh") + "|" + fz("ban an") + "|" + fz("giay chung nhan") + "|"
                         + fz("giay xac nhan") + r")\W*$")
# bodies whose name is always body + administrative unit + place ('Tòa án nhân dân tỉnh Thái Bình')
_UNIT_BODIES = ("Tòa án nhân dân", "Công an", "Viện kiểm sát nhân dân", "Ủy ban nhân dân")


_MOTTO = re.compile(fz("cong hoa xa hoi") + "|" + fz("doc lap") + r"\s*-?\s*" + fz("tu do") + "|" + fz("hanh phuc"))


def _is_motto(f: str) -> bool:
    return bool(_MOTTO.search(f))


@dataclass
class Body:
    canon: str  # body keyword in contract form
    kind: str
    start: int  # offset in the joined header text
    end: int


def _bodies_in(folded: str) -> list[Body]:
    found: list[Body] = []
    specs = sorted(bodies()["bodies"], key=lambda b: -len(b["match"]))
    taken: list[tuple[int, int]] = []
    for b in specs:
        for m in re.finditer(r"(?<![a-z])" + fz(b["match"]) + r"(?![a-z])", folded):
            if any(a < m.end() and m.start() < e for a, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(Body(b["name"], b["kind"], m.start(), m.end()))
    found.sort(key=lambda b: b.start)
    return found


_UNIT_ORDER = sorted(bodies()["admin_units"].items(), key=lambda kv: -len(kv[0]))


def _unit_at(words_f: list[str], i: int) -> bool:
    return any(" ".join(words_f[i:i + len(uf.split())]) == uf for uf, _ in _UNIT_ORDER)


def _diacritics_conflict(orig_words: list[str], want: str) -> bool:
    """The words carry diacritics and they are not the unit keyword's ('TĨNH' is not 'tỉnh')."""
    o = nfc(" ".join(orig_words)).lower().replace("ð", "đ")
    return o != want and fold(o) != o


def _format_rest(orig: str, folded: str) -> tuple[str, list[tuple[str, str]]]:
    """'QUẬN CẦU GIẤY THÀNH PHỐ HÀ NỘI' -> chunks [('quan','Cầu Giấy'), ('thanh pho','Hà Nội')].

    A unit keyword is taken by its diacritics, not only its folded form: 'HUYỆN
    TĨNH GIA' is the district Tĩnh Gia, not 'huyện' + province 'Gia'. A keyword
    right after another one with no name between is a name word too. The first
    element is a note ('unit_diacritics' when a unit-like word had other
    diacritics, so the caller can lower its confidence).
    """
    words_o = [w.strip(",;.:") for w in orig.split()]
    words_f = [w.strip(",;.:") for w in folded.split()]
    # stray marks ('_', 'ˆ', '-') between header words are scan noise, not name words
    keep = [k for k, w in enumerate(words_f) if w and (any(c.isalnum() and unicodedata.category(c) != "Lm" for c in words_o[k]) or words_o[k] in "-–")]
    words_o = [words_o[k] for k in keep]
    words_f = [words_f[k] for k in keep]
    units = bodies()["admin_units"]
    chunks: list[tuple[str, list[str]]] = []
    note = ""
    i = 0
    while i < len(words_f):
        hit = None
        for uf, _ in _UNIT_ORDER:
            n = len(uf.split())
            if " ".join(words_f[i:i + n]) != uf:
                continue
            # ('cấp cao tại' / 'tại' are followed by a unit: 'TẠI THÀNH PHỐ HỒ CHÍ MINH')
            after_empty_unit = bool(chunks and chunks[-1][0] and not chunks[-1][1]
                                    and chunks[-1][0] not in ("tai", "cap cao tai"))
            if _diacritics_conflict(words_o[i:i + n], units[uf]):
                # 'HUYỆN TĨNH GIA', 'THÀNH PHỐ HÀ TĨNH': where a unit cannot stand it is a name;
                # elsewhere ('TÍNH LONG AN') most likely a misread keyword, but a person checks
                nxt = words_f[i + n] if i + n < len(words_f) else None
                if after_empty_unit or nxt is None or _unit_at(words_f, i + n):
                    continue
                note = "unit_diacritics"
            elif after_empty_unit:
                note = note or "unit_after_unit"
                continue  # 'huyện' + 'tinh' ...: a name word
            hit = (uf, n)
            break
        if hit:
            chunks.append((hit[0], []))
            i += hit[1]
        else:
            if not chunks:
                chunks.append(("", []))
            chunks[-1][1].append(words_o[i])
            i += 1
    out = [(u, title_name(" ".join(ws)) if ws else "") for u, ws in chunks]
    return note, out


def _is_province(name: str) -> bool:
    f = fold(name).replace(" - ", "-")
    return f in provinces_folded()


_MOTTO_WORDS = re.compile(r"(?<![a-z])(?:cong\s*hoa|xa\s*hoi\s*chu|chu\s*nghia|doc\s*lap|tu\s*do|hanh\s*phuc)(?![a-z])")
_BELOW_COURT_UNITS = ("xa", "phuong", "thi tran")
_CUT_COURT = re.compile(r"^\W{0,3}t[o0]a\s*an\s*nhan(?:\s*d[a-z]{0,2})?(?![a-z])")


_EDGE_MARKS = " ,-–—_"


def _checked_place(name: str, notes: list[str], catalogue: bool = True) -> tuple[str, float]:
    """The first place name under a body against the place catalogue (`catalogue`: after a unit
    keyword; a bare name, 'TRẠI GIAM THANH LÂM', is only checked for syllables): (name to use, quality)."""
    status, spelling = place_status(name) if catalogue else ("unknown", None)
    if status == "respell" and spelling is not None:
        notes.append(f"place spelled as the catalogue: {name} -> {spelling}")
        return spelling, 0.9  # OCR changed a diacritic; the catalogue knows the name
    if status == "cut":
        notes.append(f"place name cut short: {name} ({spelling}?)")
        return name, 0.7
    words = [w for w in name.replace("-", " ").split() if not any(c.isdigit() for c in w)]  # 'số 6', 'Z30D'
    if status == "unknown" and not all(is_syllable(w) for w in words):
        notes.append(f"unknown place with a non-Vietnamese syllable: {name}")
        return name, 0.85  # 'Hlâm': letters lost (places in minority languages are in the catalogue)
    return name, 1.0


def compose_issuer(orig: str, folded: str, breaks: tuple[int, ...] = ()) -> tuple[str | None, float, str]:
    """Header text (joined lines; `breaks`: the offsets in it where a header line ended, default its
    end) -> issuer in contract form, quality factor, note."""
    breaks = breaks or (len(orig.rstrip(_EDGE_MARKS)),)
    bs = _bodies_in(folded)
    q_body = 1.0
    if not bs:
        # 'TÒA ÁN NHÂN D' (the end of the line lost in the scan) over 'HUYỆN GÒ DẦU': a court, unsure
        m = _CUT_COURT.match(folded)
        if not m or not _unit_at(folded[m.end():].split(), 0):
            return None, 0.0, "no body keyword"
        bs = [Body("Tòa án nhân dân", "court", m.start(), m.end())]
        q_body = 0.8
    names = []
    notes: list[str] = []
    for k, b in enumerate(bs):
        end = bs[k + 1].start if k + 1 < len(bs) else len(folded)
        # the same marks stripped from both, so that they stay aligned ('TÒA ÁN NHÂN DÂN — TỈNH ...':
        # the folded text has '-' where the printed one has '—')
        rest_o = orig[b.end:end].strip(_EDGE_MARKS)
        rest_f = folded[b.end:end].strip(_EDGE_MARKS)
        note, chunks = _format_rest(rest_o, rest_f)
        if note:
            notes.append(note)
        units = bodies()["admin_units"]
        rest_end = b.end + len(orig[b.end:end].rstrip(_EDGE_MARKS))
        special = _court_place(b, chunks, rest_end in breaks)
        if special is not None:
            part, q_sp, sp_notes = special
            names.append((b, (b.canon + " " + part).strip(), 1 if part else 0, [u for u, _ in chunks], q_sp,
                          sp_notes))
            continue
        q_place, place_notes = 1.0, []
        parts = [b.canon]
        kept = 0
        first_unit = None
        for k2, (u, name) in enumerate(chunks):
            if not u and not name:
                continue
            if kept == 0 and not u and b.canon in _UNIT_BODIES and any(u2 for u2, _ in chunks[k2 + 1:]):
                # a word before the unit ('TÒA ÁN NHÂN DÂN' / 'CỘN' (the motto cut) / 'THỊ XÃ ...'): not the name
                place_notes.append(f"stray words before the unit: {name}")
                q_place *= 0.7
                continue
            if kept >= 1:
                # a province under a district-level body is not part of the name
                if (u in ("tinh", "thanh pho") or not u) and _is_province(name) and first_unit in bodies()["district_units"]:
                    continue
                if u in ("tinh", "thanh pho") and first_unit in ("tinh",):
                    continue
            if kept == 0:
                first_unit = u
                if name:
                    name, q_checked = _checked_place(name, place_notes, catalogue=bool(u))
                    q_place *= q_checked
            place = (units.get(u, "") + " " + name).strip() if u else name
            city = province_2025(place) if u == "thanh pho" else None
            if city is not None and fold(city).startswith("thanh pho"):
                place = city  # the unit is part of the city's name: 'Thành phố Hồ Chí Minh'
            parts.append(place)
            kept += 1
        names.append((b, " ".join(p for p in parts if p), kept, [u for u, _ in chunks], q_place, place_notes))
    # the issuing body is the last (child) body; a bare child takes its parent as suffix
    b, name, kept, units_used, q, place_notes = names[-1]
    no_unit = kept and b.canon in _UNIT_BODIES and not any(units_used)
    # the header's words did not read as clean unit keywords: a person checks
    unclean_units = bool(notes) or no_unit
    notes += place_notes
    if no_unit:
        q *= 0.7  # 'Tòa án nhân dân Ïnh Thái Bình' (TỈNH misread): the unit keyword was not read
        notes.append("no administrative unit after the body")
    if kept == 0 and len(names) > 1:
        name = name + " " + names[-2][1]
        q = 0.9
    elif kept == 0 and b.kind in ("court", "police", "prison", "procuracy", "commune"):
        q = 0.75  # 'TÒA ÁN NHÂN DÂN' with nothing else is incomplete
        notes.append("bare body")
    name = collapse_ws(canon_toa(nfc(name)))
    q *= q_body
    if unclean_units:
        q *= 0.9
    # every place word of the result must be a word of the header as printed (same
    # diacritics, any case): a name that normalisation changed is not trusted
    src_words = {w.strip(",;.:-").lower() for w in nfc(orig).split()}
    body_words = {w for bb in bs for w in bb.canon.lower().split()} | {w for v in bodies()["admin_units"].values() for w in v.split()}
    if any("completed from the catalogue" in n for n in notes):  # the words the catalogue added are not changed
        body_words |= {w for c in units_2025()["high_court_cities"] for w in c.lower().split()}
    changed = [w for w in name.lower().split() if any(c.isalpha() for c in w) and w not in src_words and w not in body_words and w not in ("tòa", "toà")]
    if changed:
        q *= 0.8
        notes.append("changed:" + " ".join(changed))
    if _MOTTO_WORDS.search(fold(name).lower()):
        # the motto column ran into the issuer's lines ('TÒA ÁN NHÂN DÂN CỘNG HÒA XÃ ...')
        q *= 0.5
        notes.append("motto words")
    if b.kind == "court" and any(u in _BELOW_COURT_UNITS for u in units_used):
        q *= 0.6  # there are no commune-level courts: a misread or merged header
        notes.append("commune unit under a court")
    return name, q, ";".join(notes)


# --- courts whose name the catalogue knows: regional courts (from 1 July 2025), high courts ---------

_NUM_WORD = re.compile(r"^[0-9OoIlL|]{1,3}$")


def _court_place(b: Body, chunks: list[tuple[str, str]], ends_line: bool) -> tuple[str, float, list[str]] | None:
    """The part after 'Tòa án nhân dân' of a regional court ('khu vực 3 - Thành phố Hồ Chí Minh') or after
    'Tòa án nhân dân cấp cao' ('tại Đà Nẵng'), checked against the catalogue: (part, quality, notes);
    None for any other body. `ends_line`: the header's text after the body ended a line."""
    chunks = [(u, n) for u, n in chunks if u or n]
    if b.canon == "Tòa án nhân dân" and chunks and chunks[0][0] == "cap cao tai":
        b = Body("Tòa án nhân dân cấp cao", b.kind, b.start, b.end)  # 'TÒA ÁN NHÂN DÂN' / 'CẤP CAO TẠI ...'
        chunks = [("tai", chunks[0][1])] + chunks[1:]
    if b.canon == "Tòa án nhân dân" and chunks and chunks[0][0] == "khu vuc":
        return _regional(chunks)
    if b.canon == "Tòa án nhân dân cấp cao" and chunks and chunks[0][0] in ("tai", ""):
        part, q, notes = _high_court(chunks, ends_line)
        return (part, q, notes) if part else ("", 0.75, notes + ["bare body"])
    return None


def _place_text(chunks: list[tuple[str, str]]) -> str:
    units = bodies()["admin_units"]
    return " ".join((units.get(u, "") + " " + n).strip() for u, n in chunks).strip(_EDGE_MARKS)


def _regional(chunks: list[tuple[str, str]]) -> tuple[str, float, list[str]]:
    """'KHU VỰC 3 - THÀNH PHỐ HỒ CHÍ MINH', 'KHU VỰC 2' / 'ĐỒNG NAI' (the dash lost at the line break):
    'khu vực N - <province>', the province as a provincial unit of 1 July 2025 names itself."""
    words = chunks[0][1].split()
    notes: list[str] = []
    q = 1.0
    number = ""
    if words and _NUM_WORD.match(words[0]):
        number = "".join(c if c.isdigit() else DIGIT_REPAIR.get(c, "?") for c in words[0])
        if not number.isdigit():
            number = words[0]
        elif number != words[0]:
            notes.append(f"regional court number repaired: {words[0]} -> {number}")
            q *= 0.85
        words = words[1:]
    if not number.isdigit() or not 1 <= int(number) <= units_2025()["regional_courts_max"] or number.startswith("0"):
        notes.append(f"regional court without a plausible number: {number or '?'}")
        q *= 0.7
    place = _place_text([("", " ".join(w for w in words if w not in "-–—"))] + chunks[1:])
    head = f"khu vực {number}".strip()
    if not place:
        notes.append("regional court without its province")
        return head, q * 0.75, notes
    province = province_2025(place)
    if province is None:
        if province_end(place) is not None:
            notes.append(f"regional court of a province merged away in 2025: {place}")
        else:
            notes.append(f"regional court of an unknown province: {place}")
        return f"{head} - {title_name(place)}", q * 0.7, notes
    return f"{head} - {province}", q, notes


def _high_court(chunks: list[tuple[str, str]], ends_line: bool) -> tuple[str, float, list[str]]:
    """'TẠI THÀNH PHỐ HỒ CHÍ MINH' -> 'tại Thành phố Hồ Chí Minh': one of the three high courts. A clean
    prefix of one city at the end of a header line (the rest on a line not read) is completed; a city
    cut inside a word or a line is completed for a person to check."""
    place = _place_text(chunks[1:] if chunks[0] == ("tai", "") else [("", chunks[0][1])] + chunks[1:])
    if not place:
        return "", 1.0, []
    status, city = high_court_city(place)
    if status == "known" and city is not None:
        return f"tại {city}", 1.0, []
    if status == "prefix" and city is not None:
        whole_words = fold(city).split()[:len(fold(place).split())] == fold(place).split()
        if whole_words and ends_line and len(fold(place).split()) >= 2:
            return f"tại {city}", 0.97, [f"high court's city completed from the catalogue: {place} -> {city}"]
        return f"tại {city}", 0.75, [f"high court's city cut: {place} ({city}?)"]
    return f"tại {title_name(place)}", 0.7, [f"no high court at {place}"]


# --- the issuer against the issue date --------------------------------------------------------------

_DISTRICT_UNIT = re.compile(r"(?:^|\s)(?P<body>toa an nhan dan|cong an)\s+(quan|huyen|thi xa|thanh pho)\s+(?P<name>.+)$")


def issuer_on_date(issuer: str, when: dt.date | None) -> str | None:
    """Why the body `issuer` names could not have issued a document on `when`, or None: district courts
    and high courts end on 30 June 2025, regional courts begin on 1 July 2025, district police ends on
    28 February 2025, a province merged away ends on its merger (data/units_2025.json)."""
    if when is None:
        return None
    u = units_2025()
    reform = dt.date.fromisoformat(u["reform_date"])
    f = collapse_ws(fold(issuer))
    court = f.startswith("toa an nhan dan")
    if court and f.startswith("toa an nhan dan cap cao"):
        return "high courts were dissolved on 1 July 2025" if when >= reform else None
    if court and f.startswith("toa an nhan dan khu vuc"):
        return "regional courts exist from 1 July 2025" if when < reform else None
    m = re.search(r"(?<![a-z])(tinh|thanh pho)\s+(?P<name>.+)$", f)
    if m and province_end(m.group("name")) is not None and when >= province_end(m.group("name")):  # type: ignore[operator]
        return f"the province {m.group('name')} was merged away before this date"
    d = _DISTRICT_UNIT.search(f)
    district = d is not None and not _is_province(d.group("name"))
    if district and d is not None and d.group("body").startswith("toa an") and when >= reform:
        return "district courts were dissolved on 1 July 2025"
    police_end = dt.date.fromisoformat(u["district_police_end"])
    if district and d is not None and d.group("body") == "cong an" and when >= police_end:
        return "district police was dissolved on 1 March 2025"
    return None


def _issue_date(doc: Doc, limit: int) -> dt.date | None:
    cands = find_issue_date(doc, limit, None)
    if not cands:
        return None
    try:
        return dt.date.fromisoformat(max(cands, key=lambda c: c.conf).value)
    except ValueError:
        return None


def _on_date(c: Candidate, when: dt.date | None) -> Candidate:
    why = issuer_on_date(c.value, when)
    if why:
        c.adjust(ev.ISSUER_NOT_ON_DATE, detail=f"{why} (issued {when})")
    return c


# stray marks at the edges of a header word ('TÒA,', '“NHÂN', '%'): scan noise, not name
_EDGE_JUNK = ",.;:“”\"'‘’`´^ˆ~*#%&@|\\/()[]{}<>»«¬_"


def _clean_words(line: str) -> str:
    out = []
    for w in line.split():
        c = w.strip(_EDGE_JUNK)
        if c or w in "-–—":
            out.append(c or w)
    return " ".join(out)


def find_issuer(doc: Doc, limit: int) -> list[Candidate]:
    cands: list[Candidate] = []
    segs = doc.segments[:max(1, limit)]
    if not segs:
        return cands
    page_w = segs[0].page_width or 595
    picked: list[tuple[Segment, int]] = []  # segment, end offset used (a merged motto is cut off)
    started = False
    for s in segs:
        if s.page != segs[0].page:
            break
        f = doc.folded[s.start:s.end]
        cut = s.end
        mm = _MOTTO.search(f)
        if mm:
            if not any(c.isalnum() for c in f[:mm.start()]):
                continue  # the motto line, maybe after a stroke ('___ CỘNG HÒA ...'): not an issuer line
            cut = s.start + mm.start()  # left column merged with the motto on one OCR line
            f = f[:mm.start()]
        if _SKIP_LINE.match(f) or _PLACE_DATE.match(f) or _TITLE_LINE.match(f):
            if started:
                break
            continue
        text = doc.text[s.start:cut]
        words = text.split()
        if not any(sum(c.isalpha() for c in w) >= 2 for w in words):
            continue  # a speck or a stroke read as 'Í', '¬', '-': not a header line
        lettered = [w for w in words if any(c.isalpha() for c in w)]  # 'QUẬN 1', 'KHU VỰC 9': numbers have no case
        upper = sum(is_upper_word(w) for w in lettered) / max(1, len(lettered))
        ws = [w for w, (ws_, we_) in zip(s.words, s.offsets) if ws_ < cut]
        xc = (min(w.bbox[0] for w in ws) + max(w.bbox[2] for w in ws)) / 2 if ws else s.x_center
        if xc > 0.6 * page_w:
            continue  # the right column (motto, a stamp, a note): it does not end the left one
        if _is_noise(s) and len(words) <= 2:
            continue  # a seal's or a stamp's ink read as a word or two of junk ('Xu', 'ng am')
        if upper < 0.7:
            if started:
                break
            continue
        picked.append((s, cut))
        started = True
    if not picked:
        return cands
    lines = [_clean_words(doc.text[s.start:cut]) for s, cut in picked]
    orig = " ".join(x for x in lines if x)
    folded = fold(orig)
    orig = re.sub(r"[\-_–—]{2,}.*$", "", orig).strip()
    folded = folded[:len(orig)]
    breaks, at = [], 0
    for x in lines:
        if x:
            at += len(x)
            breaks.append(at)
            at += 1
    name, q, note = compose_issuer(orig, folded, breaks=tuple(breaks))
    when = _issue_date(doc, limit)
    bare = name is None or "bare body" in note
    if name and not bare:
        sp = Span([w for s, cut in picked for w, (ws_, _) in zip(s.words, s.offsets) if ws_ < cut], picked[0][0].page)
        conf = base(sp, 0.95) * q
        cands.append(_on_date(Candidate(name, conf, sp, "header"), when))
    restated = _restated_issuer(doc, limit, name, bare)
    if bare:
        # 'TÒA ÁN NHÂN DÂN' (the rest of the header lost) is no name: the text's restatement, if
        # any, names the body ('CHÁNH ÁN TÒA ÁN NHÂN DÂN TỈNH CÀ MAU'); else the bare body, unsure
        if name and not any(fold(c.value).startswith(fold(name)) for c in restated):
            sp = Span([w for s, cut in picked for w, (ws_, _) in zip(s.words, s.offsets) if ws_ < cut], picked[0][0].page)
            cands.append(Candidate(name, base(sp, 0.95) * q, sp, "header"))
        return cands + [_on_date(c, when) for c in restated]
    assert name is not None
    # corroboration: the same body named in the text (NHÂN DANH line, 'tại trụ sở ...', 'Giám thị ...');
    # compared with diacritics, so a misread header and a clean mention conflict instead of agreeing
    off = doc.segments[limit].start if limit < len(doc.segments) else len(doc.text)
    pat = fz(fold(name))
    n = 0
    for mm in re.finditer(r"(?<![a-z])" + pat + r"(?![a-z])", doc.folded[off:]):
        a, b = off + mm.start(), off + mm.end()
        val, q2, _ = compose_issuer(doc.text[a:b], doc.folded[a:b])
        if not val:
            continue
        sp2 = doc.span(a, b)
        cands.append(_on_date(Candidate(val, base(sp2, 0.8) * q2, sp2, f"body_mention{n}"), when))
        n += 1
        if n >= 2:
            break
    cands += [_on_date(c, when) for c in restated]
    return cands


# a capitals line that names the issuer again: 'GIÁM THỊ TRẠI GIAM THANH LÂM' under the title, 'TÒA ÁN NHÂN
# DÂN ...' under 'NHÂN DANH ...', 'CHÁNH ÁN TÒA ÁN ...' before the operative part
_RESTATED = re.compile(r"^[\W_]*(?:(?P<title>giam thi|pho giam thi|chanh an|pho chanh an|vien truong|giam doc|truong)\s+)?")


def _restated_issuer(doc: Doc, limit: int, name: str | None, bare: bool = False) -> list[Candidate]:
    """The issuer as restated in the text when it names a different body of the same kind:
    a conflicting candidate (a misread header, 'TRẠI GIAM HLÂM', against the clean restatement).
    Without a header name (`name` None: the header unread), a restatement after a head's title or
    under 'NHÂN DANH NƯỚC ...' is the only reading of the issuer."""
    own = _bodies_in(fold(name)) if name else []
    if name and not own:
        return []
    out: list[Candidate] = []
    prev = ""
    for s in doc.segments[limit:limit + 40]:
        after_motto, prev = bool(re.search(r"viet\s*nam\W*$", prev)), doc.folded[s.start:s.end]
        text = doc.text[s.start:s.end]
        words = text.split()
        if len(words) < 3 or sum(is_upper_word(w) for w in words) / len(words) < 0.7:
            continue
        f = doc.folded[s.start:s.end]
        m = _RESTATED.match(f)
        assert m is not None  # every part of it is optional
        lead = m.end()
        bs = _bodies_in(f[lead:])
        # after a head's title ('GIÁM THỊ TRẠI GIAM ...') the body is the issuer, whatever its kind;
        # a bare body line may be another one (the first-instance court), so only the same kind counts
        if not bs or bs[0].start != 0:
            continue
        if not m.group("title") and (bs[-1].canon != own[-1].canon if own else not after_motto):
            continue
        val, q2, note = compose_issuer(text[lead:], f[lead:])
        if val and "bare body" not in note and (name is None or fold(val) != fold(name)):
            sp = doc.span(s.start + lead, s.end)
            out.append(Candidate(val, base(sp, 0.8) * q2, sp, f"restated{len(out)}"))
    return out[:2]
