"""Standard catalogues (data files under data/): offences, bodies, kinds, penalties."""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .normalize import collapse_ws, fold, levenshtein, nfc

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Offence:
    article: str
    name: str  # contract form: first letter capitalised, no leading 'Tội'
    folded: str


@lru_cache(maxsize=1)
def offences() -> list[Offence]:
    out = []
    for line in (DATA / "offences.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        art, name = line.split("\t", 1)
        name = nfc(name.strip())
        out.append(Offence(art.strip(), name, _offence_key(name)))
    return out


@lru_cache(maxsize=1)
def offence_articles() -> dict[str, list[Offence]]:
    d: dict[str, list[Offence]] = {}
    for o in offences():
        d.setdefault(o.article, []).append(o)
    return d


def _offence_key(s: str) -> str:
    f = fold(collapse_ws(s))
    f = f.replace(" - ", "-").replace(" -", "-").replace("- ", "-")
    f = "".join(c for c in f if c.isalnum() or c in " -")
    f = collapse_ws(f)
    if f.startswith("toi "):
        f = f[4:]
    return f


@dataclass(frozen=True)
class OffenceMatch:
    offence: Offence
    score: float  # 0..1, 1 = exact (ignoring diacritics)
    exact_diacritics: bool


def match_offence(text: str) -> OffenceMatch | None:
    """Best catalogue offence for `text` (an offence name as printed/OCR'd)."""
    key = _offence_key(text)
    if len(key) < 4:
        return None
    best: tuple[float, Offence] | None = None
    for o in offences():
        if o.folded == key:
            ex = fold_lower_nfc(text) == fold_lower_nfc(o.name)
            return OffenceMatch(o, 1.0, ex)
        lim = max(2, len(o.folded) // 6)
        d = levenshtein(key, o.folded, limit=lim)
        if d <= lim:
            s = 1.0 - d / max(len(key), len(o.folded))
            if best is None or s > best[0]:
                best = (s, o)
    if best is None:
        return _one_act_match(text, key) or _prefix_match(text, key)
    return OffenceMatch(best[1], best[0], False)


@lru_cache(maxsize=1)
def _acts() -> list[tuple[Offence, list[str]]]:
    """Offences whose official name lists several acts ('Tàng trữ, vận chuyển hàng cấm'),
    with the folded comma items of the name."""
    return [(o, [_offence_key(p) for p in o.name.split(",")]) for o in offences() if "," in o.name]


def _one_act_match(text: str, key: str) -> OffenceMatch | None:
    """A charge that names one of the acts an official name lists, as judgments write it:
    'Vận chuyển hàng cấm' or 'Tàng trữ hàng cấm' for Art. 191 'Tàng trữ, vận chuyển hàng cấm'.
    The value is the printed act, spelled as the catalogue spells its words; ambiguous (two
    articles) gives no match."""
    found: dict[str, Offence] = {}
    for o, items in _acts():
        for i in range(1, len(items)):
            tail = " ".join(items[i:])
            if key == tail:  # the later acts with the object: 'vận chuyển hàng cấm'
                found[o.article] = o
            lead = items[i - 1]
            rest = key[len(lead) + 1:] if key.startswith(lead + " ") else ""
            if len(lead.split()) <= 3 and len(rest.split()) >= 2 and tail.endswith(" " + rest):
                found[o.article] = o  # an earlier act with the object: 'tàng trữ hàng cấm'
    if len(found) != 1:
        return None
    o = next(iter(found.values()))
    # spelled as the catalogue spells those words (OCR changes diacritics: 'Vận chuyến hàng cấm')
    spelling = {fold(w): w.lower() for w in o.name.replace(",", " ").split()}
    name = " ".join(spelling.get(w, w) for w in key.split())
    exact = fold_lower_nfc(text).removeprefix("tội ") == fold_lower_nfc(name)
    return OffenceMatch(Offence(o.article, name[:1].upper() + name[1:], key), 0.95, exact)


def _prefix_match(text: str, key: str) -> OffenceMatch | None:
    """A short form in common use: the first words of an official name ('Cố ý gây thương tích'
    for Art. 134). The value stays the printed short form; score marks it as partial."""
    words = key.split()
    if len(words) < 3:
        return None
    for o in offences():
        ow = o.folded.split()
        if len(ow) > len(words) and ow[:len(words)] == words:
            # the printed short form, spelled as the catalogue spells those words (OCR changes
            # diacritics: 'Cõ ý gây thương tích' is 'Cố ý gây thương tích')
            official = " ".join(o.name.split()[:len(words)])
            name = collapse_ws(nfc(text)).strip(" .,;:")
            if name.lower().startswith("tội "):
                name = name[4:]
            exact = fold_lower_nfc(text) == fold_lower_nfc(official)
            if not exact and len(name.split()) == len(words):
                name = official
            name = name[:1].upper() + name[1:]
            return OffenceMatch(Offence(o.article, name, key), 0.95, exact)
    return None


def fold_lower_nfc(s: str) -> str:
    s = collapse_ws(nfc(s)).lower()
    if s.startswith("tội "):
        s = s[4:]
    return "".join(c for c in s if c.isalnum() or c == " ")


@lru_cache(maxsize=1)
def bodies() -> dict:
    return json.loads((DATA / "bodies.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def kinds() -> dict:
    return json.loads((DATA / "kinds.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def penalties() -> dict:
    return json.loads((DATA / "penalties.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def provinces_folded() -> dict[str, str]:
    return {fold(p).replace(" - ", "-"): p for p in bodies()["provinces"]}


@lru_cache(maxsize=1)
def units_2025() -> dict:
    """Courts and provinces by date (data/units_2025.json: the 2025 reforms and their sources)."""
    return json.loads((DATA / "units_2025.json").read_text(encoding="utf-8"))


def _province_key(name: str) -> str:
    f = collapse_ws(fold(name).replace(".", " ")).replace(" - ", "-").replace("'", "")
    if f.startswith(("tp ", "tp-")):
        f = "thanh pho " + f[3:]
    if f.endswith("ho chi minh") and not f.startswith("thanh pho"):
        f = "thanh pho ho chi minh"  # the city's name is 'Thành phố Hồ Chí Minh', 'thành phố' and all
    for unit in ("tinh ", "thanh pho "):
        if f.startswith(unit) and f != "thanh pho ho chi minh":
            f = f[len(unit):]
    return f


@lru_cache(maxsize=1)
def _provinces_2025() -> dict[str, str]:
    return {_province_key(p): p for p in units_2025()["provinces_2025"]}


def province_2025(name: str) -> str | None:
    """The provincial unit of 1 July 2025 (Resolution 202/2025/QH15) that `name` ('Gia Lai', 'tỉnh Gia Lai',
    'THÀNH PHỐ HỒ CHÍ MINH') names, in its short form ('Gia Lai', 'Thành phố Hồ Chí Minh'); None if none."""
    return _provinces_2025().get(_province_key(name))


def province_end(name: str) -> dt.date | None:
    """The date from which the province `name` no longer exists (merged into another, or renamed), or None."""
    key = _province_key(name)
    for old, (_, when) in units_2025()["merged"].items():
        if _province_key(old) == key:
            return dt.date.fromisoformat(when)
    return None


def high_court_city(name: str) -> tuple[str, str | None]:
    """The city after 'Tòa án nhân dân cấp cao tại' against the three high courts: ('known', city) the
    city named whole (its catalogue spelling); ('prefix', city) the first words of one city only, the
    last maybe cut ('Thành phố Hồ', 'Thành phố Hồ Ch'); ('unknown', None)."""
    key = _province_key(name)
    cities = {_province_key(c): c for c in units_2025()["high_court_cities"]}
    if key in cities:
        return "known", cities[key]
    words = collapse_ws(fold(name).replace(".", " ")).split()
    if not words:
        return "unknown", None
    hits = set()
    for k, c in cities.items():
        cw = fold(c).split()
        if len(words) <= len(cw) and cw[:len(words) - 1] == words[:-1] and cw[len(words) - 1].startswith(words[-1]):
            hits.add(c)
    if len(hits) == 1:
        return "prefix", next(iter(hits))
    return "unknown", None


@lru_cache(maxsize=1)
def _surname_rows() -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / "surnames.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, tag = line.partition("\t")
            rows.append((nfc(name.strip()), tag.strip()))
    return rows


@lru_cache(maxsize=1)
def surnames() -> set[str]:
    """First words of names: family names, and the sex prefix 'Y' of Ê Đê names (data/surnames.txt)."""
    return {n for n, _ in _surname_rows()}


@lru_cache(maxsize=1)
def highland_surnames() -> set[str]:
    """First words of names of the Central Highlands peoples, whose words are not Vietnamese syllables."""
    return {n for n, tag in _surname_rows() if tag == "highland"}


def highland_prefix(word: str) -> bool:
    """'H'Hen', 'K'Brơi': a sex or clan prefix with an apostrophe (Ê Đê, Gia Rai, K'Ho names)."""
    return len(word) > 2 and word[0] in "HKhk" and word[1] in "'’" and word[2].isalpha()


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def tone_key(s: str) -> str:
    """A spelling key blind to where the tone mark sits ('Hoà' and 'Hòa' are one name) but not to
    which tone or which vowels: each word's letters without its tone, then the tone."""
    out = []
    for w in collapse_ws(s).lower().split():
        d = unicodedata.normalize("NFD", w)
        tones = "".join(c for c in d if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES)) + tones)
    return " ".join(out)


@lru_cache(maxsize=1)
def places() -> dict[str, list[str]]:
    """Folded place name -> its catalogue spellings: provinces (bodies.json) and district-level
    units (districts.tsv)."""
    out: dict[str, list[str]] = {}
    names = list(bodies()["provinces"])
    for line in (DATA / "districts.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            names.append(nfc(line.split("\t")[2]))
    for n in names:
        spellings = out.setdefault(fold(n).replace(" - ", "-").replace("'", ""), [])
        if n not in spellings:
            spellings.append(n)
    return out


def place_status(name: str) -> tuple[str, str | None]:
    """How a place name read from a header stands against the catalogue:
    ('known', None) spelled as the catalogue spells it; ('respell', spelling) the same letters with
    other diacritics, one catalogue spelling (OCR changed a mark: 'Cấm Phả' for 'Cẩm Phả');
    ('cut', spelling) the first words of one catalogue name only ('Bà Rịa - Vũng'); ('unknown', None)."""
    key = fold(name).replace(" - ", "-").replace("'", "")
    spellings = places().get(key, [])
    if any(tone_key(s) == tone_key(name) for s in spellings):
        return "known", None
    if len({tone_key(s) for s in spellings}) == 1:
        return "respell", spellings[0]
    if spellings:
        return "unknown", None  # several places fold alike: the diacritics decide, not us
    longer = {v[0] for k, v in places().items() if k.startswith(key + " ") or k.startswith(key + "-")}
    if len(longer) == 1:
        return "cut", next(iter(longer))
    return "unknown", None
