"""Issuing bodies (courts, prisons, police units) with their header lines.

`Body.name` is the canonical issuer of the contract: the body as named in the
header, without a province that the body text or a third header line adds.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from sohoa.corpus import vocab


@dataclass
class Body:
    kind: str  # court_district, court_province, court_high, prison, thahs_province, thahs_district
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
    return Body(
        kind="court_high", name=name, header=["TÒA ÁN NHÂN DÂN CẤP CAO", f"TẠI {city.upper()}"], parent=None,
        province_line=None, place=city, province=city, head_title="Chánh án", symbol="QĐ-CA",
        seal_ring=f"TÒA ÁN NHÂN DÂN CẤP CAO TẠI {city.upper()}",
    )


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


def procuracy_of(court: Body) -> str:
    """The people's procuracy at the same level as a court."""
    return court.name.replace("Tòa án nhân dân", "Viện kiểm sát nhân dân")
