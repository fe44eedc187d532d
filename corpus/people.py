"""Random persons: names, birth data, identity numbers, addresses."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sohoa.corpus import variation, vocab


def weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs)
    return rng.choices(items, weights=weights, k=1)[0]


def full_name(rng: random.Random, sex: str) -> str:
    s = weighted(rng, vocab.SURNAMES)
    if sex == "M":
        mid = rng.choice(vocab.MIDDLE_M)
        given = rng.choice(vocab.GIVEN_M)
        if rng.random() < 0.2:
            extra = rng.choice([w for w in ("Minh", "Quốc", "Đức", "Hoàng", "Thanh") if w not in (mid, given)])
            given = extra + " " + given
    else:
        mid = rng.choice(vocab.MIDDLE_F)
        given = rng.choice(vocab.GIVEN_F)
    return f"{s} {mid} {given}"


def wide_name(rng: random.Random, sex: str) -> tuple[str, str | None]:
    """A name of the wide variation: a rare syllable, a long name (4-5 syllables) or the name of an
    ethnic minority (then its ethnicity too); else an ordinary name."""
    r = rng.random()
    if r < 0.3:
        minority = [m for m in vocab.MINORITY_NAMES if m[1] == sex] or vocab.MINORITY_NAMES
        name, _, eth = rng.choice(minority)
        return name, eth
    if r < 0.55:  # long: a double family name and/or two middle names
        doubles = [d for d in vocab.DOUBLE_SURNAMES if sex == "F" or d != "Tôn Nữ"]
        sur = rng.choice(doubles) if rng.random() < 0.6 else weighted(rng, vocab.SURNAMES)
        mid = rng.choice([m for m in vocab.LONG_MIDDLE if (m.startswith("Thị") or m.startswith("Ngọc")) == (sex == "F")])
        given = rng.choice(vocab.RARE_GIVEN_F if sex == "F" else vocab.RARE_GIVEN_M + vocab.GIVEN_M)
        return " ".join(f"{sur} {mid} {given}".split()[:5]), None
    if r < 0.9:  # a rare given name, sometimes a rare family name
        sur = rng.choice(vocab.RARE_SURNAMES) if rng.random() < 0.3 else weighted(rng, vocab.SURNAMES)
        mid = rng.choice(vocab.RARE_MIDDLE_F if sex == "F" else vocab.RARE_MIDDLE_M)
        given = rng.choice(vocab.RARE_GIVEN_F if sex == "F" else vocab.RARE_GIVEN_M)
        return f"{sur} {mid} {given}", None
    return full_name(rng, sex), None


def commune(rng: random.Random) -> str:
    return rng.choice(["xã", "xã", "phường", "thị trấn"]) + " " + " ".join(rng.sample(vocab.COMMUNE_WORDS, 2))


def address(rng: random.Random, prov=None, district=None) -> str:
    prov = prov or rng.choice(vocab.PROVINCES)
    dkind, dname = district or rng.choice(prov[3])
    r = rng.random()
    if r < 0.4:
        head = f"Số {rng.randint(1, 250)} đường {rng.choice(vocab.STREETS)}, "
    elif r < 0.7:
        head = f"Thôn {rng.choice(vocab.COMMUNE_WORDS)} {rng.choice(vocab.COMMUNE_WORDS)}, " if rng.random() < 0.6 else f"Tổ {rng.randint(1, 30)}, "
    else:
        head = f"Ấp {rng.randint(1, 9)}, " if prov[2] >= "070" else f"Xóm {rng.randint(1, 15)}, "
    return f"{head}{commune(rng)}, {dkind} {dname}, {prov[0]}"


@dataclass
class Person:
    name: str
    sex: str  # "M" / "F"
    birth: dt.date
    birth_year_only: bool
    birth_place: str
    id_kind: str  # cccd | cmnd | dinhdanh | cancuoc | cmnd9 | passport
    id_number: str
    residence: str
    ethnicity: str
    job: str
    education: str
    father: str
    mother: str
    nationality: str = "Việt Nam"
    # (name, short, id code, districts) and one of its districts; the generator always sets them
    prov: tuple = field(default=(), repr=False)
    district: tuple = field(default=(), repr=False)

    @property
    def personal_id(self) -> str | None:
        return self.id_number if self.id_kind in ("cccd", "cmnd", "dinhdanh", "cancuoc") else None

    @property
    def passport(self) -> str | None:
        return self.id_number if self.id_kind == "passport" else None

    @property
    def birth_canonical(self) -> str:
        return str(self.birth.year) if self.birth_year_only else self.birth.isoformat()

    @property
    def honorific(self) -> str:
        return "Ông" if self.sex == "M" else "Bà"

    @property
    def anh_chi(self) -> str:
        return "Anh" if self.sex == "M" else "Chị"


def personal_id_for(rng: random.Random, prov_code: str, sex: str, birth: dt.date) -> str:
    century = (birth.year // 100) - 19  # 1900s -> 0, 2000s -> 1
    sex_digit = century * 2 + (0 if sex == "M" else 1)
    return f"{prov_code}{sex_digit}{birth.year % 100:02d}{rng.randint(0, 999999):06d}"


def make_person(rng: random.Random, ref_date: dt.date, foreigner: bool = False, prov=None) -> Person:
    sex = "M" if rng.random() < 0.86 else "F"
    age = rng.randint(18, 62)
    birth = dt.date(ref_date.year - age, rng.randint(1, 12), rng.randint(1, 28))
    prov = prov or rng.choice(vocab.PROVINCES)
    district = rng.choice(prov[3])
    if foreigner:
        fname, nat, passport = rng.choice(vocab.FOREIGN)
        return Person(name=fname, sex="M", birth=birth, birth_year_only=False, birth_place=nat,
                      id_kind="passport", id_number=passport, residence=f"{nat}; tạm trú tại {address(rng, prov, district)}",
                      ethnicity="", job=rng.choice(vocab.JOBS), education="", father="", mother="",
                      nationality=nat, prov=prov, district=district)
    r = rng.random()
    if ref_date.year < 2021:
        kind = "cmnd" if r < 0.45 else ("cmnd9" if r < 0.55 else ("cccd" if r < 0.9 else "dinhdanh"))
    else:
        kind = "cccd" if r < 0.65 else ("dinhdanh" if r < 0.8 else ("cancuoc" if ref_date.year >= 2024 and r < 0.9 else "cmnd"))
    birth_prov = prov if rng.random() < 0.8 else rng.choice(vocab.PROVINCES)
    if kind == "cmnd9":
        idn = f"{rng.randint(10, 38):02d}{rng.randint(0, 9999999):07d}"
    else:
        idn = personal_id_for(rng, birth_prov[2], sex, birth)
    name = full_name(rng, sex)
    wide_eth = None
    if variation.is_wide() and rng.random() < 0.6:
        name, wide_eth = wide_name(rng, sex)
    person = Person(
        name=name, sex=sex, birth=birth, birth_year_only=rng.random() < 0.18,
        birth_place=birth_prov[0], id_kind=kind, id_number=idn,
        residence=address(rng, prov, district), ethnicity=rng.choice(vocab.ETHNIC), job=rng.choice(vocab.JOBS),
        education=rng.choice(vocab.EDUCATION), father=name.split()[0] + " " + full_name(rng, "M").split(" ", 1)[1],
        mother=full_name(rng, "F"),
        prov=prov, district=district,
    )
    if variation.is_wide():
        if wide_eth:
            person.ethnicity = wide_eth
            person.father = name.split()[0] + " " + rng.choice(["Văn", "A", "Seo", "Mí", "Tài"]) + " " + rng.choice(
                ["Sùng", "Pó", "Dình", "Lả", "Chứ", "Thào", "Pẻng"]) if not name.startswith(("Y ", "H'", "Ksor", "Rơ", "Siu")) else rng.choice(
                ["Y Blô Niê", "Ama H'Dơk", "Rơ Châm Bơh"])
        elif len(name.split()) > 3:
            person.father = name.split()[0] + " " + full_name(rng, "M").split(" ", 1)[1]
    return person
