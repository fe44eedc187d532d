"""Issuing bodies (courts, prisons, police units) with their header lines.

`Body.name` is the canonical issuer of the contract: the body as named in the
header, without a province that the body text or a third header line adds.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sohoa.corpus import variation, vocab

# from 1 July 2025 the district courts are gone (regional courts take their cases) and 63
# provinces are 34; district-level police (and so its criminal-judgment execution office)
# was dissolved on 1 March 2025
REFORM_2025 = dt.date(2025, 7, 1)
DISTRICT_POLICE_END = dt.date(2025, 3, 1)


@dataclass
class Body:
    kind: str  # court_district, court_regional, court_province, court_high, prison, thahs_province, thahs_district
    name: str  # canonical issuer, e.g. "Tòa án nhân dân quận Cầu Giấy"
    header: list[str]  # the body's own lines, upper case, as printed
    parent: str | None  # superior-body line printed above (not part of the issuer)
    province_line: str | None  # optional province line printed below (not part of the issuer)
    place: str  # locality printed in the place-date line
    province: str  # province as the body text names it ("thành phố Hà Nội")
    head_title: str  # "Chánh án", "Giám thị", "Thủ trưởng"
    symbol: str  # document-number symbol of the body
    seal_ring: str  # text around the seal
    extra: dict = field(default_factory=dict)

    @property
    def full(self) -> str:
        """Name as the body text says it, with the province added."""
        if self.kind in ("court_district", "thahs_district"):
            return f"{self.name}, {self.province}"
        return self.name


def _unit(kind: str, name: str) -> str:
    return f"{kind} {name}"


def pick_province(rng: random.Random):
    return rng.choice(vocab.PROVINCES)


def _district_of(rng: random.Random, prov=None, district=None):
    """The province (given, else drawn), one of its districts (given, else drawn), the district's unit name
    ('quận Cầu Giấy') and the place a body there writes its documents at (a numbered district: the province)."""
    prov = prov or pick_province(rng)
    pname, pshort, _, districts = prov
    dkind, dname = district or rng.choice(districts)
    place = dname if not dname.isdigit() else pshort
    return prov, _unit(dkind, dname), place


def district_court(rng: random.Random, prov=None, district=None) -> Body:
    prov, unit, place = _district_of(rng, prov, district)
    pname, pshort, _, _ = prov
    name = f"Tòa án nhân dân {unit}"
    return Body(
        kind="court_district", name=name, header=["TÒA ÁN NHÂN DÂN", unit.upper()], parent=None,
        province_line=pname.upper() if rng.random() < 0.15 else None,
        place=place, province=pname, head_title="Chánh án",
        symbol="QĐ-CA", seal_ring=f"TÒA ÁN NHÂN DÂN {unit.upper()} * {pshort.upper()}",
        extra={"unit": unit, "prov": prov},
    )


def province_court(rng: random.Random, prov=None) -> Body:
    prov = prov or pick_province(rng)
    pname, pshort, _, _ = prov
    name = f"Tòa án nhân dân {pname}"
    return Body(
        kind="court_province", name=name, header=["TÒA ÁN NHÂN DÂN", pname.upper()], parent=None,
        province_line=None, place=pshort, province=pname, head_title="Chánh án", symbol="QĐ-CA",
        seal_ring=f"TÒA ÁN NHÂN DÂN {pname.upper()}", extra={"prov": prov},
    )


def high_court(rng: random.Random, city: str | None = None) -> Body:
    city = city or rng.choice(vocab.HIGH_COURTS)
    name = f"Tòa án nhân dân cấp cao tại {city}"
    header = ["TÒA ÁN NHÂN DÂN CẤP CAO", f"TẠI {city.upper()}"]
    if variation.is_wide():  # the city name broken over two lines, or the 'TẠI' line first
        words = city.upper().split()
        header = rng.choice([
            header,
            ["TÒA ÁN NHÂN DÂN", f"CẤP CAO TẠI {city.upper()}"],
            ["TÒA ÁN NHÂN DÂN CẤP CAO TẠI", city.upper()],
            ["TÒA ÁN NHÂN DÂN", "CẤP CAO TẠI " + " ".join(words[:-2]), " ".join(words[-2:])] if len(words) > 2 else header,
        ])
    return Body(
        kind="court_high", name=name, header=header, parent=None,
        province_line=None, place=city, province=city, head_title="Chánh án", symbol="QĐ-CA",
        seal_ring=f"TÒA ÁN NHÂN DÂN CẤP CAO TẠI {city.upper()}",
    )


def province_2025(prov) -> tuple[str, str]:
    """The province (as body text names it, and its short form) that `prov` is part of from 1 July 2025."""
    new = vocab.MERGED_2025.get(prov[1])
    if new is None:
        new = "thành phố Huế" if prov[1] == "Thừa Thiên Huế" else prov[0]
    short = new if new.startswith("Thành phố") else new.split(" ", 1)[1] if new.startswith("tỉnh ") else new.split(" ", 2)[2]
    return new, short


def province_court_2025(rng: random.Random, prov) -> Body:
    """A provincial court after the 2025 merger (the province `prov` merged into)."""
    pname, pshort = province_2025(prov)
    return Body(
        kind="court_province", name=f"Tòa án nhân dân {pname}", header=["TÒA ÁN NHÂN DÂN", pname.upper()], parent=None,
        province_line=None, place=pshort, province=pname, head_title="Chánh án", symbol="QĐ-CA",
        seal_ring=f"TÒA ÁN NHÂN DÂN {pname.upper()}", extra={"prov": prov},
    )


def regional_court(rng: random.Random, prov) -> Body:
    """A regional people's court (from 1 July 2025): 'Tòa án nhân dân khu vực 1 - Hà Nội'."""
    pname, pshort = province_2025(prov)
    n = rng.randint(1, vocab.REGIONAL_COURTS.get(pshort, vocab.REGIONAL_COURTS_OTHER))
    region = f"khu vực {n} - {pshort}"
    header = rng.choice([["TÒA ÁN NHÂN DÂN", region.upper()], ["TÒA ÁN NHÂN DÂN", f"KHU VỰC {n}", pshort.upper()],
                         [f"TÒA ÁN NHÂN DÂN KHU VỰC {n}", pshort.upper()]])
    return Body(
        kind="court_regional", name=f"Tòa án nhân dân {region}", header=header, parent=None, province_line=None,
        place=pshort, province=pname, head_title="Chánh án", symbol="QĐ-CA",
        seal_ring=f"TÒA ÁN NHÂN DÂN KHU VỰC {n} * {pshort.upper()}", extra={"prov": prov, "region": n},
    )


def court_on(rng: random.Random, body: Body, when: dt.date) -> Body:
    """The body that issues, on `when`, what `body` issued before the 2025 reforms (wide variation
    only; a default corpus keeps `body` whatever the date)."""
    if not variation.is_wide():
        return body
    prov = body.extra.get("prov")
    if when >= REFORM_2025 and prov:
        if body.kind == "court_district":
            return regional_court(rng, prov)
        if body.kind == "court_province":
            return province_court_2025(rng, prov)
    if when >= DISTRICT_POLICE_END and body.kind == "thahs_district" and prov:
        return thahs_province(rng, prov) if when < REFORM_2025 else thahs_province_2025(rng, prov)
    if when >= REFORM_2025 and body.kind == "thahs_province" and prov:
        return thahs_province_2025(rng, prov)
    return body


def high_court_for(prov) -> str:
    code = int(prov[2])
    if code <= 46:
        return "Hà Nội"
    if code <= 68:
        return "Đà Nẵng"
    return "Thành phố Hồ Chí Minh"


def prison(rng: random.Random) -> Body:
    pname, parent, where = rng.choice(vocab.PRISONS)
    short = pname.replace("Trại giam ", "")
    initials = "".join(w[0] for w in short.split() if w[0].isalpha()).upper()
    return Body(
        kind="prison", name=pname, header=[pname.upper()],
        parent=rng.choice(["BỘ CÔNG AN", "BỘ CÔNG AN", "CỤC C10"]) if rng.random() < 0.85 else None,
        province_line=None, place=rng.choice([short, where.split(" ", 1)[1]]) if not short[-1].isdigit() else where.split(" ", 1)[1],
        province=where, head_title="Giám thị", symbol=f"GCN-TG{initials}" if rng.random() < 0.5 else "GCN",
        seal_ring=f"BỘ CÔNG AN * {pname.upper()}",
    )


def thahs_province(rng: random.Random, prov=None) -> Body:
    prov = prov or pick_province(rng)
    pname, pshort, _, _ = prov
    name = f"Cơ quan thi hành án hình sự Công an {pname}"
    return Body(
        kind="thahs_province", name=name,
        header=["CƠ QUAN THI HÀNH ÁN HÌNH SỰ"], parent=f"CÔNG AN {pname.upper()}", province_line=None,
        place=pshort, province=pname, head_title="Thủ trưởng", symbol="GCN-THAHS",
        seal_ring=f"CÔNG AN {pname.upper()} * CƠ QUAN THI HÀNH ÁN HÌNH SỰ",
        extra={"prov": prov, "stacked_name": True},
    )


def thahs_district(rng: random.Random, prov=None, district=None) -> Body:
    prov, unit, place = _district_of(rng, prov, district)
    pname, pshort, _, _ = prov
    name = f"Cơ quan thi hành án hình sự Công an {unit}"
    return Body(
        kind="thahs_district", name=name, header=["CƠ QUAN THI HÀNH ÁN HÌNH SỰ"],
        parent=f"CÔNG AN {unit.upper()}", province_line=None,
        place=place, province=pname, head_title="Thủ trưởng",
        symbol="GCN-THAHS", seal_ring=f"CÔNG AN {unit.upper()} * {pshort.upper()}",
        extra={"prov": prov, "unit": unit, "stacked_name": True},
    )


def thahs_province_2025(rng: random.Random, prov) -> Body:
    pname, pshort = province_2025(prov)
    return Body(
        kind="thahs_province", name=f"Cơ quan thi hành án hình sự Công an {pname}",
        header=["CƠ QUAN THI HÀNH ÁN HÌNH SỰ"], parent=f"CÔNG AN {pname.upper()}", province_line=None,
        place=pshort, province=pname, head_title="Thủ trưởng", symbol="GCN-THAHS",
        seal_ring=f"CÔNG AN {pname.upper()} * CƠ QUAN THI HÀNH ÁN HÌNH SỰ",
        extra={"prov": prov, "stacked_name": True, "merged": True},
    )


def procuracy_of(court: Body) -> str:
    """The people's procuracy at the same level as a court."""
    return court.name.replace("Tòa án nhân dân", "Viện kiểm sát nhân dân")
