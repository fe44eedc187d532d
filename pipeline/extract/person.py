"""The person the document concerns: name, birth date, personal ID / passport.

Judgments: the first defendant named in the operative part ('Xử phạt bị cáo X',
'Tuyên bố bị cáo X phạm tội'), whose identity paragraph ('Bị cáo: X, sinh ...')
gives birth date and ID. Decisions/certificates: 'Họ và tên (người bị kết án|
phạm nhân)', 'Chứng nhận ông/bà', 'đối với người bị kết án', ...
Victims, witnesses, counsel, judges and signatories are never taken.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sohoa.core.text import TONE_MARKS

from . import doubts
from . import evidence as ev
from .catalogues import highland_prefix, highland_surnames, surnames
from .confidence import Candidate, base, number_candidate
from .dates import find_dates, find_year
from .digits import DIGIT_REPAIR
from .evidence import Adjustment
from .layout import Doc, Span
from .normalize import fold, fz, is_syllable, is_upper_word, starts_upper, title_name

_ANCHORS = [
    # (regex on folded text, weight, tag)
    (fz("ho va ten") + r"\s*(?:" + fz("nguoi bi ket an") + "|" + fz("pham nhan") + "|" + fz("nguoi chap hanh an")
     + "|" + fz("bi cao") + r")?\s*[:.]", 0.97, "ho_ten"),
    (fz("ho ten") + r"\s*(?:" + fz("nguoi bi ket an") + "|" + fz("pham nhan") + "|" + fz("nguoi chap hanh an")
     + r")?\s*[:.]", 0.96, "ho_ten"),
    (r"(?<![a-z])" + fz("bi cao") + r"\s*(?:(?:co|khong)\s*" + fz("khang cao") + r"|bi\s*" + fz("khang nghi")
     + r")?\s*(?:[:]|\s)", 0.95, "bi_cao"),
    (fz("nguoi bi ket an") + r"\s*[:]?", 0.93, "nguoi_bi_ket_an"),
    (fz("pham nhan") + r"\s*[:]?", 0.92, "pham_nhan"),
    (fz("nguoi chap hanh an") + r"\s*[:]?", 0.92, "nguoi_cha"),
    (fz("chung nhan") + r"\s*[:]?\s*(?:ong|ba|anh|chi)\s*(?:\(\s*ba\s*\)|/\s*ba)?\s*[:]?", 0.95, "chung_nhan"),
    (fz("nguoi duoc chung nhan") + r"\s*(?:la)?\s*[:]", 0.95, "chung_nhan"),
    (fz("chung nhan") + r"\s*[:]?\s*(?:" + fz("nguoi chap hanh an") + "|" + fz("pham nhan") + r")\s*[:]?", 0.93,
     "chung_nhan"),
    (r"(?<![a-z])(?:ong|ba|anh|chi)\s*(?:\(\s*ba\s*\)|/\s*ba)?\s*:", 0.85, "ong_ba"),
]
# anchors that name a role in passing ('hồ sơ phạm nhân', 'Ông: ...' of any party): a person found
# only through one of these is never certain
WEAK_TAGS = {"ong_ba", "pham_nhan", "nguoi_bi_ket_an", "nguoi_cha"}
_SIGN_LINE = re.compile(r"^\W{0,3}(?:kt|tm|q|ktm)\s*[.:]\s*\S|^\W{0,3}(?:" + "|".join(fz(p) for p in [
    "giam thi", "pho giam thi", "thu truong", "pho thu truong", "chanh an", "pho chanh an", "tham phan",
    "noi nhan", "truong phong", "giam doc", "cuc truong"]) + r")(?![a-z])|\(\s*" + fz("da ky") + r"\s*\)")
_NOT_PERSON = re.compile("|".join(fz(p) for p in [
    "bi hai", "nguoi bi hai", "nguoi lam chung", "nguoi bao chua", "tham phan", "thu ky", "kiem sat vien",
    "chanh an", "giam thi", "hoi tham", "nguoi co quyen loi", "nguyen don", "bi don", "nguoi dai dien",
    "luat su", "tro giup vien", "nguoi giam ho", "ho ten bo", "ho ten me", "con ong", "con ba", "bo:", "me:",
    "vo:", "chong:"]) + r"\s*[:]?\s*$")
_STOP_REGION = re.compile("|".join(fz(p) for p in [
    "bi hai", "nguoi bi hai", "nguoi lam chung", "nguoi bao chua", "nguoi co quyen loi", "nguoi dai dien",
    "tien an", "tien su", "nhan than", "noi dung vu an", "nguoi tham gia to tung"]) + r"|(?<![a-z])" + fz("bi cao") + r"\s*[:]")
_LABELS = {("gioi", "tinh"), ("sinh", "ngay"), ("sinh", "nam"), ("quoc", "tich"), ("noi", "cu"), ("noi", "o"),
           ("noi", "sinh"), ("nghe", "nghiep"), ("dan", "toc"), ("ton", "giao"), ("trinh", "do"), ("ho", "khau"),
           ("con", "ong"), ("con", "ba"), ("tam", "tru"), ("thuong", "tru"), ("hien", "nay"), ("so", "cccd"),
           ("so", "cmnd"), ("so", "dinh"), ("ngay", "sinh"), ("nam", "sinh"), ("ten", "goi"), ("can", "cuoc"),
           ("chung", "minh"), ("dia", "chi"), ("tru", "tai"), ("ho", "chieu")}
_LABEL_WORDS = {"cccd", "cmnd", "sn", "hktt"}
_NAME_STOP = {"sinh", "gioi", "nam", "ngay", "quoc", "noi", "ten", "nghe", "cccd", "so", "cmnd", "dan", "ton",
              "trinh", "con", "hien", "thuong", "tru", "dia", "chi", "ho", "bi", "la", "ve", "toi", "pham", "va",
              "sn", "nguyen", "tam", "tai"}
_NAME_STOP_EXACT_LOWER = True


@dataclass
class NameHit:
    name: str
    folded: str
    start: int
    end: int
    span: Span
    weight: float
    tag: str
    weak: bool = False  # found by a weak anchor (a role named in passing, or a bare 'Ông:')


def _label_word(toks: list[re.Match], i: int) -> str:
    """Token i folded as a label word: 'tính:Nam' (OCR glued the value to its label) is 'tinh'."""
    return fold(toks[i].group(0).split(":")[0].strip(",;:.")) if i < len(toks) else ""


def _take_name(doc: Doc, pos: int, limit: int) -> tuple[str, int, int] | None:
    """Capitalised words from `pos` (skipping ':', numbering, 'ông/bà')."""
    text = doc.text
    m = re.compile(r"[\s:.\-–]*(?:\d{1,2}[.)]\s*)?(?:(?:[Ôô]ng|[Bb]à|[Aa]nh|[Cc]hị)(?:\s*\(\s*bà\s*\)|\s*/\s*bà)?\s*[:]?\s+)?").match(text, pos)
    p = m.end() if m else pos
    words: list[str] = []
    start = p
    end = p
    toks = list(re.finditer(r"\S+", text[p:limit]))
    for k, wm in enumerate(toks):
        raw = wm.group(0)
        w = raw.strip(",;:.()\"'“”")
        lead_bad = raw[0] in "(\"“”'‘’„«["  # an opening quote starts an offence name, not a name word
        # letters, maybe a hyphen or an apostrophe inside ('H'Nhi', 'Ksor H'Hen': Central Highlands names)
        if not w or not w.replace("-", "").replace("'", "").replace("’", "").isalpha() or lead_bad:
            break
        if not starts_upper(w):
            break
        fw = fold(w)
        nxt, nxt2 = _label_word(toks, k + 1), _label_word(toks, k + 2)
        # 'Vũ Công Nam, sinh ngày' ends a name; so does 'Năm sinh', but not 'Lương Quốc Nam sinh năm'
        # (the label is 'sinh năm') nor 'Lương Quốc Nam' + a new line 'Sinh ngày:' (a label is on one line)
        label = ((fw, nxt) in _LABELS and not raw.endswith((",", ";")) and (nxt, nxt2) not in _LABELS
                 and k + 1 < len(toks) and "\n" not in text[p + wm.end():p + toks[k + 1].start()])
        if words and label or (words and fw in _LABEL_WORDS) or (words and raw.endswith(":")):
            break
        if words and "\n" in text[p + toks[k - 1].end():p + wm.start()]:
            # a new line that is itself 'Label: value' ('Sinh hgày: 28 ...') is not the rest of the name
            line_end = text.find("\n", p + wm.start())
            line_end = len(text) if line_end < 0 else line_end
            same_line = [t for t in toks[k:k + 6] if p + t.start() < line_end]  # 'Ngày, tháng, năm sinh:'
            if any(t.group(0).endswith(":") for t in same_line):
                break
        if len(words) >= 6:
            break
        words.append(w)
        end = p + wm.start() + len(raw.rstrip(",;:.()\"'“”"))
        if raw != raw.rstrip(",;:(") or raw.endswith(")"):
            break
    if len(words) < 2:
        return None
    return " ".join(words), start, end


def _line_closed(prev: str) -> bool:
    """The text before a line break ends a line that cannot run on into the next one."""
    line = prev.rsplit("\n", 1)[-1].strip()
    if not line:
        return True
    if line[-1] in ":.;":
        return True
    words = [w for w in line.split() if any(c.isalpha() for c in w)]
    return bool(words) and sum(is_upper_word(w) for w in words) >= 0.8 * len(words)


def signature_start(doc: Doc) -> int:
    """Offset where the signature block at the end of the document starts (len(text) if none).

    A short line on the last page opening with 'KT.' / 'TM.' / '(Đã ký)' / 'Nơi nhận', or a title
    in capitals ('GIÁM THỊ', 'THỦ TRƯỞNG', 'CHÁNH ÁN', 'THẨM PHÁN'), with no running text after it
    (only short lines: recipients, titles, names).
    """
    segs = doc.segments
    if not segs:
        return len(doc.text)
    last_page = segs[-1].page
    tail = [s for s in segs if s.page == last_page]
    prose_after = [False] * len(tail)
    seen = False
    for k in range(len(tail) - 1, -1, -1):
        prose_after[k] = seen
        t = doc.text[tail[k].start:tail[k].end].strip()
        words = t.split()
        upper = sum(is_upper_word(w) for w in words) / max(1, len(words))
        if len(t) > 45 and upper < 0.5 and not t.startswith(("-", "+", "•")):
            seen = True
    first_tail = max(0, len(segs) - 8)
    for k, s in enumerate(tail):
        if prose_after[k] or not (s.top >= 0.45 * (s.page_height or 842) or s.index >= first_tail):
            continue
        f = doc.folded[s.start:s.end]
        if len(f.strip()) > 60:
            continue
        m = _SIGN_LINE.search(f)
        if not m:
            continue
        t = doc.text[s.start:s.end]
        words = [w for w in t.split() if any(c.isalpha() for c in w)]
        titled = bool(words) and sum(is_upper_word(w) for w in words) >= 0.6 * len(words)
        if titled or re.match(r"^\W{0,3}(?:kt|tm|q|ktm)\s*[.:]|^\W{0,3}noi nhan|.*\(\s*da ky", f):
            return s.start
    return len(doc.text)


def find_people(doc: Doc, start: int = 0, end: int | None = None) -> list[NameHit]:
    end = len(doc.text) if end is None else end
    hits: list[NameHit] = []
    taken: list[tuple[int, int]] = []
    sig = signature_start(doc)
    for rx, weight, tag in _ANCHORS:
        for m in re.finditer(rx, doc.folded[start:end]):
            a = start + m.start()
            b = start + m.end()
            if any(x <= a < y for x, y in taken):
                continue
            if a >= sig:
                continue  # the signature block names the signer, never the person
            before = doc.folded[max(0, a - 30):a]
            nl = before.rfind("\n")
            if nl >= 0 and _line_closed(doc.text[max(0, a - 30):a][:nl]):
                before = before[nl + 1:]  # a heading or finished line above ('GIÁM THỊ TRẠI GIAM SỐ 6') is not a role label
            if _NOT_PERSON.search(before + doc.folded[a:b]):
                continue
            seg = doc.segment_at(a)
            lim = min(end, (seg.end if seg else b) + 60)
            got = _take_name(doc, b, lim)
            if not got:
                continue
            name, ns, ne = got
            if ns >= sig:
                continue
            gap = doc.text[b:ns]
            if not doc.folded[a:b].rstrip().endswith(":") and re.search(r"[.;]", gap):
                continue  # 'hồ sơ phạm nhân.' + a name on the next line: the sentence had ended
            sp = doc.span(ns, ne)
            # 'Ông: X' of any party, or a role without ':' whose name only follows on the next line
            weak = tag == "ong_ba" or (tag in WEAK_TAGS and not doc.folded[a:b].rstrip().endswith(":")
                                       and "\n" in gap)
            hits.append(NameHit(title_name(name), fold(name), ns, ne, sp, weight, tag, weak))
            taken.append((a, ne))
    hits.sort(key=lambda h: h.start)
    return hits


# The marks of Vietnamese writing, and the letters each may sit on: tones on any vowel, the
# breve on a, the circumflex on a e o, the horn on o u.
_MARK_BASES = {"\u0306": "a", "\u0302": "aeo", "\u031b": "ou"}


def vietnamese_letters(word: str) -> bool:
    """Whether every mark on the word's letters is one Vietnamese writing has (a foreign name in
    plain Latin letters passes; 'Byä', 'Ngñ' do not)."""
    for ch in word:
        nfd = unicodedata.normalize("NFD", ch)
        base, marks = nfd[0].lower(), nfd[1:]
        for mk in marks:
            if mk in TONE_MARKS:
                if base not in "aeiouy":
                    return False
            elif base not in _MARK_BASES.get(mk, ""):
                return False
    return True


def surname_slip_of(word: str) -> str | None:
    """The known surname `word` differs from by tone marks only ('Nguyên' -> 'Nguyễn'), if one."""
    f = fold(word)
    return next((s for s in sorted(surnames()) if fold(s) == f and s != word), None)


@lru_cache(maxsize=1)
def highland_family_names() -> frozenset[str]:
    """Family names of the Central Highlands peoples (data/highland_family_names.txt), folded to lower case."""
    path = Path(__file__).with_name("data") / "highland_family_names.txt"
    rows = (ln.strip() for ln in path.read_text("utf-8").splitlines())
    return frozenset(unicodedata.normalize("NFC", r).lower() for r in rows if r and not r.startswith("#"))


def family_name_slip(word: str) -> str | None:
    """The known highland family name `word` is one letter off ('Ênuôi' -> 'ênuôl'), if it is none itself."""
    w = unicodedata.normalize("NFC", word).lower()
    known = highland_family_names()
    if w in known or len(w) < 3:
        return None
    for k in sorted(known):
        if len(k) == len(w) and sum(a != b for a, b in zip(k, w)) == 1 and len(k) >= 3:
            return k
    return None


def name_quality(name: str) -> list[Adjustment]:
    """The name's own quality checks that fail (their factors multiply: evidence.product)."""
    ws = name.split()
    q: list[Adjustment] = []
    if not 2 <= len(ws) <= 5:
        q.append(ev.NAME_WORD_COUNT)
    # Central Highlands names ('Y Bhăm Êban', 'Ksor H'Nhi', 'H'Hen Niê'): not Vietnamese syllables
    highland = ws[0] in highland_surnames() or highland_prefix(ws[0])
    if ws[0] not in surnames() and not highland:
        q.append(ev.NAME_SURNAME_SLIP if surname_slip_of(ws[0]) else ev.NAME_SURNAME_UNKNOWN)
    if any(len(w) > 7 for w in ws):
        q.append(ev.NAME_LONG_WORD)
    # a one-letter syllable: OCR split a word ('A' of H'Mông names, 'Y' of Ê Đê names are words)
    if any(len(w) == 1 and fold(w) not in ("a", "y") for w in ws):
        q.append(ev.NAME_ONE_LETTER)
    if any(re.search(r"[0-9]", w) for w in ws):
        q.append(ev.NAME_DIGIT)
    if any(not vietnamese_letters(w) for w in ws):
        q.append(ev.NAME_FOREIGN_MARK)
    if highland:
        if not all(re.fullmatch(r"[^\W\d_]+(?:['’][^\W\d_]+)?", w) for w in ws):
            q.append(ev.NAME_NOT_SYLLABLE)  # a word of no name: marks inside
        # the family name (last for Ê Đê and M'Nông names, first for Gia Rai ones) one letter from a known one
        if any(family_name_slip(w) and vietnamese_letters(w) for w in (ws[0], ws[-1])):  # a foreign mark: above
            q.append(doubts.NAME_FAMILY_SLIP)
    elif ws[0] in surnames() and not all(is_syllable(w) for w in ws):
        q.append(ev.NAME_NOT_SYLLABLE)  # a word no syllable can be: 'Minhnam' (glued), 'Hlâm'
    return q


def region_end(doc: Doc, start: int, hard: int) -> int:
    m = _STOP_REGION.search(doc.folded, start, min(hard, start + 900))
    return m.start() if m else min(hard, start + 900)


# --- birth date -------------------------------------------------------------------------

_BIRTH = re.compile(r"(?:" + fz("sinh ngay") + "|" + fz("ngay sinh") + "|" + fz("ngay, thang, nam sinh") + "|"
                    + fz("ngay thang nam sinh") + "|" + fz("sinh") + r")\s*[:]?\s*")
_BIRTH_YEAR = re.compile(r"(?:" + fz("sinh nam") + "|" + fz("nam sinh") + r"|\bsn)\s*[:.]?\s*")


# A figure read at least this sure needs no second read to be trusted.
FIGURE_SURE = 0.9


def _figure_weak(words: list) -> bool:
    """A word with digits read below FIGURE_SURE that no second read agreed with."""
    return any(any(ch.isdigit() for ch in w.text) and w.confidence < FIGURE_SURE and not w.verified for w in words)


def _birth_read_otherwise(doc: Doc, iso: str, at: int) -> str | None:
    """Another birth date in the text that differs from `iso` in exactly one of day, month, year
    ('sinh ngày 19/5/1990' and 'sinh ngày 10/5/1990'): the same date, one of the two misread. A
    co-defendant's birth date differs in more than one part (or by chance, then a person looks)."""
    parts = iso.split("-")
    for m in _BIRTH.finditer(doc.folded):
        for d in find_dates(doc.folded, m.end(), min(len(doc.folded), m.end() + 40))[:1]:
            if d.start - m.end() >= 6 or d.start <= at < d.end or d.year_only:
                continue
            if sum(x != y for x, y in zip(parts, d.iso.split("-"))) == 1:
                return d.iso
    return None


def find_birth(doc: Doc, a: int, b: int) -> Candidate | None:
    for m in _BIRTH.finditer(doc.folded, a, b):
        ds = find_dates(doc.folded, m.start(), min(b, m.end() + 40))
        ds = [d for d in ds if d.start - m.end() < 6]
        if ds:
            d = ds[0]
            c = number_candidate(doc, d.iso, d.start, d.end, 0.97, "birth", d.repairs)
            if _figure_weak(doc.span(d.start, d.end).words):
                c.adjust(doubts.DATE_FIGURE_WEAK)
            other = _birth_read_otherwise(doc, d.iso, d.start)
            if other is not None:
                c.adjust(doubts.BIRTH_MENTIONS_DIFFER, detail=other)
            return c
        if doc.folded[m.start():m.end()].strip().startswith(("sinh nam", "nam sinh")):
            pass
    for m in _BIRTH_YEAR.finditer(doc.folded, a, b):
        # 'sinh năm 1990' -- but 'sinh ngày 02 tháng 5 năm 1990' was handled above
        y = find_year(doc.folded, m.end(), min(b, m.end() + 8))
        if y:
            return number_candidate(doc, y.iso, y.start, y.end, 0.96, "birth_year", y.repairs)
    return None


# --- personal ID / passport -------------------------------------------------------------------

_ID_LABEL = re.compile("(?:" + "|".join(fz(p) for p in [
    "so dinh danh ca nhan", "dinh danh ca nhan", "can cuoc cong dan", "the can cuoc", "can cuoc", "cccd",
    "chung minh nhan dan", "cmnd", "cmtnd", "so dinh danh"]) + r")\s*(?:" + fz("so") + r")?\s*[:.]?\s*")
_PASSPORT = re.compile(fz("ho chieu") + r"\s*(?:" + fz("so") + r")?\s*[:.]?\s*")
VALID_PROVINCE_CODES = {
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
    "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
    "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096"}


def _collect_digits(text: str, pos: int, limit: int) -> tuple[str, int, int, int]:
    """Digits from pos: one or more tokens (digit groups split by OCR), letters confusable with
    digits repaired when the token is mostly digits."""
    from .digits import repair_digits

    digits = ""
    rep = 0
    end = pos
    for m in re.finditer(r"\S+", text[pos:limit]):
        if m.start() > 0 and text[pos + m.start() - 1] == "\n" and digits and len(digits) >= 12:
            break
        tok = m.group(0).rstrip(";,.:)")
        if not tok:
            break
        d, n = repair_digits(tok)
        if not d or n >= 99 or n * 2 > len(tok):
            break
        if digits and len(digits) + len(d) > 13:
            break
        digits += d
        rep += n
        end = pos + m.start() + len(tok)
        if len(digits) >= 12 or tok != m.group(0):
            break
    return digits, rep, pos, end


def id_structure_ok(pid: str, birth: str | None) -> bool | None:
    """CCCD: 3-digit province code, century/sex digit, 2-digit birth year, 6 random digits."""
    if len(pid) != 12:
        return False
    if pid[:3] not in VALID_PROVINCE_CODES:
        return False
    if birth and re.match(r"\d{4}", birth):
        y = int(birth[:4])
        century = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100}.get(int(pid[3]))
        if century is None:
            return False
        return century + int(pid[4:6]) == y
    return None


# The first six digits of a personal ID (province, century and sex, birth year) are checked against
# the catalogue and the birth date (validate.person_checks); the last six are random.
ID_STRUCTURED = 6


def _unchecked_piece(words: list) -> bool:
    """Was a 12-digit ID read in pieces (OCR split it at a gap) one of which, among the random last six
    digits, no second read checked? ('01 0094946352': the '01' lies in the structured part, checked.)"""
    pieces = [w for w in words if any(ch.isdigit() for ch in w.text)]
    if len(pieces) < 2:
        return False
    pos = 0
    for w in pieces:
        n = sum(ch.isdigit() for ch in w.text)
        if not w.verified and w.confidence < 0.999 and pos + n > ID_STRUCTURED:
            return True
        pos += n
    return False


def find_ids(doc: Doc, a: int, b: int) -> tuple[Candidate | None, Candidate | None, list[str]]:
    warnings = []
    pid = None
    for m in _ID_LABEL.finditer(doc.folded, a, b):
        digits, rep, s, e = _collect_digits(doc.text, m.end(), min(b, m.end() + 30))
        if not digits:
            continue
        sp = doc.span(s, e)
        if len(digits) == 12:
            c = Candidate(digits, base(sp, 0.97), sp, "id_label")
            if rep:
                c.adjust(ev.ID_DIGITS_REPAIRED, ev.ID_DIGITS_REPAIRED.factor ** rep, detail=str(rep))
            if _unchecked_piece(sp.words):
                # '0750785671 34': the short piece got no second read (too short to be asked for one)
                c.adjust(doubts.ID_PIECE_UNCHECKED)
            pid = c
            break
        if len(digits) == 9:
            warnings.append(f"9-digit old identity card number {digits} is not a 12-digit personal ID")
            continue
        warnings.append(f"personal ID '{digits}' has {len(digits)} digits")
        # keep a low-confidence candidate for review when close to 12
        if len(digits) in (11, 13):
            pid = pid or Candidate(digits, 0.3, sp, "id_label_bad_len")
    passport = None
    for m in _PASSPORT.finditer(doc.folded, a, b):
        pm = re.match(r"([A-Z0-9]{1,2}\s?[0-9OIl]{6,8})\b", doc.text[m.end():m.end() + 20])
        if pm:
            raw = pm.group(1).replace(" ", "")
            val = raw[0] + "".join(DIGIT_REPAIR.get(c, c) if i > 1 else c for i, c in enumerate(raw[1:], 1))
            sp = doc.span(m.end(), m.end() + len(pm.group(1)))
            passport = Candidate(val.upper(), base(sp, 0.93) * (0.9 if val != raw else 1.0), sp, "passport")
            break
    return pid, passport, warnings


def name_echoes(doc: Doc, name: str, chosen_start: int) -> tuple[int, int]:
    """Other mentions of the name in the text: (agreeing, disagreeing) counts. A mention that
    continues with more letters ('Minh H' vs 'Minh Hưng') or differs in diacritics disagrees."""
    key = fold(name)
    agree = disagree = 0
    for m in re.finditer(re.escape(key).replace(r"\ ", r"\s+"), doc.folded):
        if abs(m.start() - chosen_start) < 3:
            continue
        if m.start() > 0 and doc.folded[m.start() - 1].isalpha():
            continue
        nxt = doc.folded[m.end():m.end() + 1]
        more = re.match(r"[ \t]+([^\s,;.:]+)", doc.text[m.end():m.end() + 24])
        if nxt.isalpha() or (more and more.group(1)[0].isupper() and more.group(1).isalpha()):
            # more letters, or one more capitalised word on the same line ('Lương Quốc' vs 'Lương Quốc Nam')
            disagree += 1
        elif title_name(doc.text[m.start():m.end()]) == name:
            agree += 1
        else:
            disagree += 1
    # the same name with one more word inside it ('Nguyễn Anh Minh Việt' for 'Nguyễn Minh Việt'):
    # OCR lost a word of the chosen mention, or of this one; either way a person checks
    words = key.split()
    for i in range(1, len(words)):
        rx = (r"(?<![a-z])" + r"\s+".join(map(re.escape, words[:i])) + r"\s+[a-z]+\s+"
              + r"\s+".join(map(re.escape, words[i:])) + r"(?![a-z])")
        disagree += sum(1 for m in re.finditer(rx, doc.folded) if abs(m.start() - chosen_start) >= 3)
    return agree, disagree
