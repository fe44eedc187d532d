"""The facts behind a document: charges, sentences, judgments.

A `Judgment` is generated first; decisions and certificates are generated
from it, so a person's file holds consistent documents (the decision cites
the judgment's real number and date).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sohoa.corpus import bodies, variation, vocab
from sohoa.corpus.people import Person, make_person
from sohoa.corpus.vnformat import add_months

FINE_PRINCIPAL_OK = {"321", "322", "188", "191", "201", "318", "178", "260", "173"}
ADDITIONAL_FINE = {"249", "251", "255", "174", "353", "321", "322", "201"}


@dataclass
class Charge:
    name: str
    article: str
    clause: str
    point: str | None  # "a" for "điểm a khoản 2"
    months: int = 0  # penalty for this charge when several

    def citation(self) -> str:
        p = f"điểm {self.point} " if self.point else ""
        return f"{p}khoản {self.clause} Điều {self.article}"


@dataclass
class Sentence:
    kind: str  # contract principal_penalty
    months: int | None = None
    probation: int | None = None
    fine: int | None = None  # fine_vnd: principal fine or additional fine
    fine_principal: bool = False
    income_deduction: int | None = None  # % for non-custodial reform

    @property
    def term(self) -> int:
        """The term in months of a sentence that has one (`months`); raises for one that has none."""
        if self.months is None:
            raise ValueError(f"a {self.kind} sentence without a term")
        return self.months


@dataclass
class Defendant:
    person: Person
    charges: list[Charge]
    sentence: Sentence
    general: list[str]  # General Part articles cited, in order
    mitigating: list[str]
    aggravating: list[str]
    arrest_date: dt.date | None
    priors: list[dict] = field(default_factory=list)
    role: str = ""
    acquitted: bool = False  # named in the operative part, declared not guilty: no person of the judgment

    @property
    def articles(self) -> list[str]:
        out: list[str] = []
        for c in self.charges:
            if c.article not in out:
                out.append(c.article)
        for a in self.general:
            if a not in out:
                out.append(a)
        return out


@dataclass
class Judgment:
    number: str
    date: dt.date
    level: str  # ST / PT
    court: bodies.Body
    defendants: list[Defendant]
    offence_date: dt.date
    indictment: tuple[str, dt.date]
    acceptance: tuple[str, dt.date]  # thụ lý
    trial_order: tuple[str, dt.date]  # quyết định đưa vụ án ra xét xử
    proposal: tuple[int, int] | None  # prosecutor's proposed range (months) for the subject
    court_fee: int
    victim: Person | None
    item: tuple[str, int]
    st: "Judgment | None" = None  # the first-instance judgment an appeal reviews
    appeal_outcome: str | None = None  # keep / reduce / suspend
    judges: list[str] = field(default_factory=list)
    clerk: str = ""
    prosecutor: str = ""
    symbol_style: str = "HS-ST"

    @property
    def subject(self) -> Defendant:
        return self.defendants[0]

    @property
    def first_instance(self) -> Judgment:
        """The first-instance judgment an appeal reviews (`st`); raises for one that reviews none."""
        if self.st is None:
            raise ValueError(f"judgment {self.number} reviews no first-instance judgment")
        return self.st


def doc_number(rng: random.Random, n: int, year: int | None, symbol: str) -> str:
    ns = f"{n:02d}" if n < 10 else str(n)
    return f"{ns}/{year}/{symbol}" if year else f"{ns}/{symbol}"


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    return start + dt.timedelta(days=rng.randint(0, max(span, 0)))


def _round_months(rng: random.Random, lo: int, hi: int) -> int:
    m = rng.randint(lo, hi)
    if rng.random() < 0.75:
        m = max(lo, min(hi, int(round(m / 6.0)) * 6 or 6))
    return max(1, m)


def make_charges(rng: random.Random, k: int) -> list[Charge]:
    picks = rng.sample(vocab.OFFENCES, k)
    seen = set()
    out = []
    for name, art, clause, (lo, hi), _ in picks:
        if art in seen:
            continue
        seen.add(art)
        point = None
        if clause != "1":
            point = rng.choice(["a", "b", "c", "d", "đ"])
        out.append(Charge(name, art, clause, point, _round_months(rng, lo, hi)))
    return out


def _offence_spec(art: str, clause: str):
    for o in vocab.OFFENCES:
        if o[1] == art and o[2] == clause:
            return o
    return None


def make_sentence(rng: random.Random, charges: list[Charge], foreigner: bool) -> tuple[Sentence, list[str]]:
    general: list[str] = []
    single = len(charges) == 1
    c0 = charges[0]
    spec = _offence_spec(c0.article, c0.clause)
    suspendable = single and spec is not None and spec[4] and c0.months <= 36
    r = rng.random()
    if foreigner and r < 0.4:
        s = Sentence("expulsion")
        general.append("37")
    elif single and c0.article in FINE_PRINCIPAL_OK and c0.clause == "1" and r < 0.2:
        s = Sentence("fine", fine=rng.randint(2, 40) * 5_000_000, fine_principal=True)
        general.append("35")
    elif suspendable and r < 0.5:
        months = min(c0.months, 36)
        s = Sentence("suspended_imprisonment", months=months,
                     probation=min(60, max(12, months * 2 if rng.random() < 0.6 else months + 12)))
        general += ["65"]
    elif suspendable and r < 0.62:
        months = max(6, min(c0.months, 36))
        s = Sentence("non_custodial_reform", months=months, income_deduction=rng.choice([None, 5, 10, 15]))
        general.append("36")
    elif single and c0.article in ("123", "251", "150") and r < 0.45:
        s = Sentence("life_imprisonment")
        general.append("39")
    elif single and c0.article in ("123", "251") and r < 0.5:
        s = Sentence("death")
        general.append("40")
    else:
        total = sum(c.months for c in charges)
        s = Sentence("imprisonment", months=min(total, 360))
        general.append("38")
    if not single:
        general.append("55")
    if s.fine is None and any(c.article in ADDITIONAL_FINE for c in charges) and rng.random() < 0.45:
        s.fine = rng.randint(1, 10) * 5_000_000
    return s, general


def make_defendant(rng: random.Random, when: dt.date, person: Person | None = None, charges=None,
                   role: str = "") -> Defendant:
    person = person or make_person(rng, when, foreigner=rng.random() < 0.04)
    if charges is None:
        k = rng.choices([1, 2, 3], [78, 18, 4])[0]
        charges = make_charges(rng, k)
    sentence, general = make_sentence(rng, charges, person.id_kind == "passport")
    mitig = sorted(rng.sample(vocab.MITIGATING, rng.randint(1, 3)), key=vocab.MITIGATING.index)
    aggr = rng.sample(vocab.AGGRAVATING, 1) if rng.random() < 0.2 else []
    general = ["51"] + (["52"] if aggr else []) + general
    if rng.random() < 0.15:
        general.append("54")
    priors = []
    if rng.random() < 0.3 and when.year - person.birth.year >= 25:
        pdate = rand_date(rng, dt.date(when.year - 8, 1, 1), dt.date(when.year - 2, 12, 1))
        pc = rng.choice(vocab.OFFENCES)
        prior_court = bodies.district_court(rng)
        priors.append({
            "number": doc_number(rng, rng.randint(3, 400), pdate.year, "HS-ST"), "date": pdate,
            "court": prior_court.name, "months": rng.choice([6, 9, 12, 15, 18, 24, 30]),
            "charge": pc[0], "done": add_months(pdate, rng.randint(8, 30)),
        })
    arrest = None
    if sentence.kind in ("imprisonment", "life_imprisonment", "death", "expulsion") and rng.random() < 0.75:
        arrest = when - dt.timedelta(days=rng.randint(60, 300))
    return Defendant(person, charges, sentence, general, mitig, aggr, arrest, priors, role)


def make_judgment(rng: random.Random, date: dt.date, level: str = "ST", person: Person | None = None,
                  co_defendants: float | None = None) -> Judgment:
    """A judgment. co_defendants: the share of judgments with 2-4 defendants (some with
    the first defendant's family name, some acquitted); None keeps the historic mix
    (1-3 defendants, 65/25/10), so the corpora of earlier seeds stay as they were."""
    """A first-instance judgment, or an appeal judgment with its first-instance one."""
    if level == "PT":
        st_date = date - dt.timedelta(days=rng.randint(60, 160))
        st = make_judgment(rng, st_date, "ST", person, co_defendants)
        prov = st.court.extra.get("prov") or rng.choice(vocab.PROVINCES)
        if st.court.kind in ("court_district", "court_regional"):
            court = bodies.province_court(rng, prov)
        else:
            court = bodies.high_court(rng, bodies.high_court_for(prov))
        court = bodies.court_on(rng, court, date)
        subj = st.subject
        outcome = "keep"
        new = Sentence(**vars(subj.sentence))
        general = list(subj.general)
        r = rng.random()
        if subj.sentence.kind == "imprisonment" and subj.sentence.months and subj.sentence.months > 12:
            if r < 0.45:
                outcome = "reduce"
                new.months = subj.sentence.months - rng.choice([3, 6, 6, 9, 12])
                if "54" not in general and rng.random() < 0.3:
                    general.append("54")
            elif r < 0.6 and subj.sentence.months <= 36 and len(subj.charges) == 1:
                outcome = "suspend"
                new.kind = "suspended_imprisonment"
                new.probation = min(60, subj.sentence.months * 2)
                general = [a for a in general if a != "38"] + ["65"]
        appellant = Defendant(subj.person, [Charge(**vars(c)) for c in subj.charges], new, general,
                              subj.mitigating + (["b"] if outcome != "keep" and "b" not in subj.mitigating else []),
                              subj.aggravating, subj.arrest_date, subj.priors)
        n = rng.randint(1, 650 if court.kind == "court_high" else 280)
        sym = rng.choices(["HS-PT", "HSPT"], [9, 1])[0]
        j = Judgment(
            number=doc_number(rng, n, date.year, sym), date=date, level="PT", court=court,
            defendants=[appellant] + st.defendants[1:], offence_date=st.offence_date, indictment=st.indictment,
            acceptance=(doc_number(rng, n + rng.randint(0, 30), date.year, "TLPT-HS"), date - dt.timedelta(days=rng.randint(20, 50))),
            trial_order=(doc_number(rng, n + rng.randint(0, 20), date.year, "QĐXXPT-HS"), date - dt.timedelta(days=rng.randint(5, 18))),
            proposal=None, court_fee=200_000, victim=st.victim, item=st.item, st=st, appeal_outcome=outcome,
            symbol_style=sym,
        )
        _staff(rng, j)
        return j

    # first instance
    person_prov = person.prov if person else None
    if rng.random() < 0.7:
        court = bodies.district_court(rng, person_prov)
    else:
        court = bodies.province_court(rng, person_prov)
    if variation.is_wide():  # more provincial first instances, so more appeals at the high courts
        if court.kind == "court_district" and rng.random() < 0.3:
            court = bodies.province_court(rng, court.extra["prov"])
        court = bodies.court_on(rng, court, date)
    n_def = rng.choices([1, 2, 3], [65, 25, 10])[0]
    if co_defendants is not None:
        n_def = rng.choice([2, 3, 4]) if rng.random() < co_defendants else 1
    subj = make_defendant(rng, date, person)
    defs = [subj]
    for _ in range(n_def - 1):
        cd = make_defendant(rng, date, charges=[Charge(**vars(c)) for c in subj.charges[:1]])
        if co_defendants is not None:
            if rng.random() < 0.3:  # brothers, cousins: the same family name
                cd.person.name = subj.person.name.split()[0] + " " + cd.person.name.split(" ", 1)[1]
            cd.acquitted = rng.random() < 0.08
        cd.charges[0].months = max(3, cd.charges[0].months + rng.choice([-12, -6, -3, 3, 6]))
        if cd.sentence.kind == "imprisonment":
            cd.sentence.months = cd.charges[0].months
        defs.append(cd)
    offence_date = date - dt.timedelta(days=rng.randint(120, 500))
    prop = None
    s = subj.sentence
    if s.months and s.kind in ("imprisonment", "suspended_imprisonment", "non_custodial_reform"):
        lo = max(3, s.months - rng.choice([0, 3, 6]))
        hi = lo + rng.choice([3, 6, 6, 12])
        if lo == s.months and hi == s.months:
            hi += 6
        prop = (lo, hi)
    sym = rng.choices(["HS-ST", "HSST"], [9, 1])[0]
    n = rng.randint(1, 480)
    victim = make_person(rng, date) if rng.random() < 0.7 else None
    j = Judgment(
        number=doc_number(rng, n, date.year, sym), date=date, level="ST", court=court, defendants=defs,
        offence_date=offence_date,
        indictment=(doc_number(rng, rng.randint(1, 300), date.year, rng.choice(["CT-VKS", "CT-VKSND", "CT-VKS-P2"])),
                    date - dt.timedelta(days=rng.randint(30, 70))),
        acceptance=(doc_number(rng, n + rng.randint(-5, 30) if n > 5 else n + 3, date.year, "TLST-HS"), date - dt.timedelta(days=rng.randint(25, 45))),
        trial_order=(doc_number(rng, n + rng.randint(0, 25), date.year, "QĐXXST-HS"), date - dt.timedelta(days=rng.randint(5, 20))),
        proposal=prop, court_fee=200_000, victim=victim, item=rng.choice(vocab.STOLEN_ITEMS), symbol_style=sym,
    )
    _staff(rng, j)
    return j


def _staff(rng: random.Random, j: Judgment) -> None:
    from sohoa.corpus.people import full_name
    def staff() -> str:
        sex = rng.choice("MF")
        return ("Ông " if sex == "M" else "Bà ") + full_name(rng, sex)
    j.judges = [staff() for _ in range(3)]
    j.clerk = staff()
    j.prosecutor = staff()
