"""Phrases shared by templates: identity, birth, penalties, citations."""
from __future__ import annotations

import datetime as dt
import random

from sohoa.corpus.facts import Defendant, Sentence
from sohoa.corpus.people import Person
from sohoa.corpus.vnformat import date_any, date_long, date_short, duration, money_phrase, words


def q(rng: random.Random, s: str) -> str:
    """An offence name in the quotes a document uses."""
    return rng.choice(['"{}"', "“{}”", "“{}”", "'{}'"]).format(s)


def id_phrase(rng: random.Random, p: Person, when: dt.date) -> str:
    n = p.id_number
    issued = when - dt.timedelta(days=rng.randint(200, 2500))
    with_issue = rng.random() < 0.35
    iss = ""
    if with_issue:
        iss = rng.choice([f" cấp {date_any(issued, rng, 0.3)}", f" cấp {date_any(issued, rng, 0.3)} tại Cục Cảnh sát QLHC về TTXH",
                          f" do Cục Cảnh sát quản lý hành chính về trật tự xã hội cấp {date_any(issued, rng, 0.3)}"])
    k = p.id_kind
    if k == "cccd":
        return rng.choice([f"Số CCCD: {n}", f"Căn cước công dân số: {n}", f"CCCD số {n}", f"số Căn cước công dân {n}"]) + iss
    if k == "cmnd":
        return rng.choice([f"Số CMND: {n}", f"CMND số: {n}", f"Chứng minh nhân dân số {n}"]) + iss
    if k == "cmnd9":
        return rng.choice([f"CMND số: {n}", f"Số CMND: {n}"]) + iss
    if k == "dinhdanh":
        return rng.choice([f"Số định danh cá nhân: {n}", f"số định danh cá nhân {n}"])
    if k == "cancuoc":
        return rng.choice([f"Căn cước số: {n}", f"Số thẻ căn cước: {n}"]) + iss
    return f"Hộ chiếu số: {n}"


def birth_phrase(rng: random.Random, p: Person, label: bool = False) -> str:
    if p.birth_year_only:
        return "sinh năm " + str(p.birth.year) if not label else f"Năm sinh: {p.birth.year}"
    d = p.birth
    r = rng.random()
    s = date_short(d, rng) if r < 0.7 else date_long(d, rng)[5:]
    return ("sinh ngày " + s) if not label else rng.choice(["Sinh ngày: ", "Ngày, tháng, năm sinh: "]) + s


def given(value: int | None, what: str, s: Sentence) -> int:
    """A number a sentence of its kind always states (months of a prison term, a probation, a fine)."""
    if value is None:
        raise ValueError(f"a {s.kind} sentence without its {what}")
    return value


def penalty_core(rng: random.Random, s: Sentence) -> str:
    """'02 (hai) năm tù', 'Tù chung thân', '03 năm tù nhưng cho hưởng án treo...'"""
    k = s.kind
    if k == "imprisonment":
        return f"{duration(rng, given(s.months, 'months', s))} tù"
    if k == "suspended_imprisonment":
        return (f"{duration(rng, given(s.months, 'months', s))} tù nhưng cho hưởng án treo, thời gian thử thách là "
                f"{duration(rng, given(s.probation, 'probation', s))}").replace("là ", rng.choice(["là ", ""]))
    if k == "non_custodial_reform":
        return f"{duration(rng, given(s.months, 'months', s))} cải tạo không giam giữ"
    if k == "fine":
        return f"phạt tiền {money_phrase(rng, given(s.fine, 'fine', s))}"
    if k == "life_imprisonment":
        return "tù chung thân"
    if k == "death":
        return "tử hình"
    if k == "expulsion":
        return "trục xuất khỏi lãnh thổ nước Cộng hòa xã hội chủ nghĩa Việt Nam"
    raise ValueError(k)


def months_words(rng: random.Random, m: int) -> str:
    return duration(rng, m)


def citation(rng: random.Random, d: Defendant, procedure: bool = False) -> str:
    """'Căn cứ khoản 1 Điều 173; điểm s khoản 1 Điều 51; Điều 38 Bộ luật Hình sự'"""
    parts = [c.citation() for c in d.charges]
    for a in d.general:
        if a == "51":
            pts = ", ".join(d.mitigating)
            parts.append(f"điểm {pts} khoản 1" + (" , khoản 2" if rng.random() < 0.2 else "") + " Điều 51")
        elif a == "52":
            parts.append(f"điểm {d.aggravating[0]} khoản 1 Điều 52")
        else:
            parts.append(f"Điều {a}")
    parts = [p.replace(" , ", ", ") for p in parts]
    law = rng.choice(["Bộ luật Hình sự", "Bộ luật Hình sự năm 2015 (sửa đổi, bổ sung năm 2017)",
                      "Bộ luật hình sự năm 2015, được sửa đổi bổ sung năm 2017", "BLHS"])
    s = "; ".join(parts) + " " + law
    if procedure:
        s += "; Điều 106, Điều 135, Điều 136, Điều 331, Điều 333 Bộ luật Tố tụng hình sự"
    return s


def court_fee_phrase(rng: random.Random, fee: int, level: str = "ST") -> str:
    kind = "sơ thẩm" if level == "ST" else "phúc thẩm"
    return rng.choice([
        f"Bị cáo phải chịu {money_phrase(rng, fee)} án phí hình sự {kind}.",
        f"Buộc bị cáo phải nộp {money_phrase(rng, fee)} tiền án phí hình sự {kind}.",
        f"Về án phí: bị cáo phải chịu án phí hình sự {kind} là {money_phrase(rng, fee)}.",
    ])


def money_words(n: int) -> str:
    return words(n)
