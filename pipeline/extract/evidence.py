"""Named confidence adjustments: every factor, cap and boost the extractor applies to a value's
confidence, with what it stands for.

A candidate value (confidence.Candidate) starts at a prior (OCR quality x method, confidence.base)
and carries the list of adjustments applied to it, in order (`Applied`); its confidence is the
prior folded through them. The numbers are hand-set; REGISTRY enumerates them all, so a fitted
(calibrated) model can replace them and a report can say why a value was marked down.

Kinds:

* scale  -- conf * factor                      (evidence against the value)
* cap    -- min(conf, factor)                  (a person must check, however clean the read)
* boost  -- conf + (1 - conf) * factor * weight (independent evidence for the value)
* clamp  -- max(0, min(1, conf))
* note   -- conf unchanged (observed, not weighed)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["scale", "cap", "boost", "clamp", "note"]


@dataclass(frozen=True)
class Adjustment:
    """One named adjustment. `factor` is the scale, cap or boost share; a scale computed per
    value (a repair count, a range's confidence, a conflicting candidate's weight) has its factor
    given when applied (`variable`). `if_zero`: a scale that first replaces a zero confidence by
    this value (a value taken from elsewhere when none was read). `note`: the text a value
    carries when marked down by it ('' for none); `warns`: whether that text is also reported as
    a warning of the field."""

    name: str
    factor: float
    why: str
    kind: Kind = "scale"
    variable: bool = False
    if_zero: float | None = None
    note: str = ""
    warns: bool = False

    def apply(self, conf: float, factor: float | None = None, weight: float = 1.0) -> float:
        f = self.factor if factor is None else factor
        if self.kind == "scale":
            if self.if_zero is not None:
                return (conf or self.if_zero) * f
            return conf * f
        if self.kind == "cap":
            return min(conf, f)
        if self.kind == "boost":
            return conf + (1 - conf) * f * weight
        if self.kind == "clamp":
            return max(0.0, min(1.0, conf))
        return conf


@dataclass(frozen=True)
class Applied:
    """An adjustment as applied to one value: the factor used (the adjustment's own unless it is
    variable), a boost's weight, the product of `parts` when several were multiplied into one
    factor first (a name's quality), and detail for the note."""

    adjustment: Adjustment
    factor: float
    weight: float = 1.0
    detail: str = ""
    parts: tuple[Adjustment, ...] = ()

    def apply(self, conf: float) -> float:
        return self.adjustment.apply(conf, self.factor, self.weight)

    @property
    def note(self) -> str:
        a = self.adjustment
        if a.note and self.detail:
            return a.note.format(detail=self.detail)
        return a.note


def applied(adj: Adjustment, factor: float | None = None, weight: float = 1.0, detail: str = "") -> Applied:
    if adj.variable and factor is None:
        raise ValueError(f"{adj.name} needs its factor")
    return Applied(adj, adj.factor if factor is None else factor, weight, detail)


def product(parts: list[Adjustment]) -> float:
    """The factors of `parts` multiplied in order, from 1.0."""
    q = 1.0
    for p in parts:
        q *= p.factor
    return q


def fold(prior: float, steps: list[Applied]) -> float:
    conf = prior
    for s in steps:
        conf = s.apply(conf)
    return conf


REGISTRY: dict[str, Adjustment] = {}


def define(name: str, factor: float, why: str, kind: Kind = "scale", **kw: object) -> Adjustment:
    if name in REGISTRY:
        raise ValueError(f"adjustment {name} defined twice")
    adj = Adjustment(name, factor, why, kind, **kw)  # type: ignore[arg-type]
    REGISTRY[name] = adj
    return adj


# --- general: numbers, agreement between anchors ------------------------------------------------

DIGITS_REPAIRED = define("DIGITS_REPAIRED", 0.85, "per OCR letter-for-digit repair in a number or date ('2O19')",
                          variable=True)
NUMBER_DIGITS_REPAIRED = define("NUMBER_DIGITS_REPAIRED", 0.8,
                                 "per OCR letter-for-digit repair in a document number or cited judgment number",
                                 variable=True)
DIGIT_LOST = define("DIGIT_LOST", 0.7, "unexplained space beside a number where OCR may have lost a digit "
                     "('18' read '8'; Doc.digit_gap)")
ANCHOR_AGREES = define("ANCHOR_AGREES", 0.6, "another, independent anchor read the same value "
                        "(weighted by its confidence)", "boost")
CONFLICTING_CANDIDATE = define("CONFLICTING_CANDIDATE", 0.7,
                                "another anchor read a different value (conflict weight x its confidence, "
                                "halved when the chosen value has more anchors)", variable=True,
                                note="conflicting candidate {detail}", warns=True)
CLAMPED = define("CLAMPED", 1.0, "confidence kept within 0..1 after merging anchors", "clamp")
EXTRACTION_FAILED = define("EXTRACTION_FAILED", 0.6, "the extractor failed part-way: every value read so far "
                            "goes to review", "cap")
OPERATIVE_RANGE = define("OPERATIVE_RANGE", 1.0, "how surely the operative part (where the value was read) was "
                          "found: the range's confidence (+0.1, at most 1)", variable=True)

# --- printed terms (numbers.Duration), weighed by confidence.weigh_term, in this order ----------

TERM_WORDS_AGREE = define("TERM_WORDS_AGREE", 0.5, "the term's number in words agrees with its digits", "boost")
TERM_WORDS_DISAGREE = define("TERM_WORDS_DISAGREE", 0.5, "the term's number in words disagrees with its digits")
TERM_DIGITS_REPAIRED = define("TERM_DIGITS_REPAIRED", 0.8, "OCR letter-for-digit repairs in the term's figure")
TERM_HAS_DAYS = define("TERM_HAS_DAYS", 0.7, "the term has days; months are rounded down")
TERM_UNIT_LOST_BEFORE = define("TERM_UNIT_LOST_BEFORE", 0.6, "a number before the term has an unreadable unit "
                                "('02 (hai) nàn 06 tháng'): the term may be longer")
TERM_MAY_CONTINUE = define("TERM_MAY_CONTINUE", 0.6, "a years-only term ends a line read out of order: "
                            "the term may continue on another line")
TERM_DIGIT_LOST = define("TERM_DIGIT_LOST", 0.7, "space beside the term's figure where a digit may have been lost "
                          "(not when its words confirm the figure)")
TERM_PART_LOST_BEFORE = define("TERM_PART_LOST_BEFORE", 0.6, "a term without years right after a trace of "
                                "another part (a digit, marks, number words, a weak word): its years may be lost")
TERM_FIGURE_WEAK = define("TERM_FIGURE_WEAK", 0.85, "a figure of the term read weakly, no words to confirm it and "
                           "no second read: one glyph misread ('3' for '9') changes the term")
TERM_WEIGHTS = (TERM_WORDS_AGREE, TERM_WORDS_DISAGREE, TERM_DIGITS_REPAIRED, TERM_HAS_DAYS, TERM_UNIT_LOST_BEFORE,
                TERM_MAY_CONTINUE, TERM_DIGIT_LOST, TERM_PART_LOST_BEFORE, TERM_FIGURE_WEAK)

# --- header: document number, issue date, issuer --------------------------------------------------

SYMBOL_UNKNOWN = define("SYMBOL_UNKNOWN", 0.97, "the number's symbol ('HS-ST', 'QĐ-CA') is not a known one")
SYMBOL_ONE_LETTER = define("SYMBOL_ONE_LETTER", 0.8, "a one-letter symbol part ('QĐ-H'): the rest was lost",
                            note="symbol part of one letter")
NUMBER_NO_YEAR = define("NUMBER_NO_YEAR", 0.99, "the document number has no year")
TRIAL_DATE_AS_ISSUE = define("TRIAL_DATE_AS_ISSUE", 0.45, "issue date taken from the trial date in the text")

# --- person -----------------------------------------------------------------------------------

NAME_WORD_COUNT = define("NAME_WORD_COUNT", 0.8, "a name of fewer than 2 or more than 5 words")
NAME_SURNAME_UNKNOWN = define("NAME_SURNAME_UNKNOWN", 0.93, "the name's first word is no known surname")
NAME_FOREIGN_MARK = define("NAME_FOREIGN_MARK", 0.7, "a letter with a mark Vietnamese writing has not "
                            "('Byä' for 'Byă'): OCR's slip")
NAME_SURNAME_SLIP = define("NAME_SURNAME_SLIP", 0.8, "the name's first word is no known surname but one tone "
                            "mark from one ('Nguyên' for 'Nguyễn'): more likely that surname misread")
NAME_LONG_WORD = define("NAME_LONG_WORD", 0.85, "a word of more than 7 letters in the name (words glued)")
NAME_ONE_LETTER = define("NAME_ONE_LETTER", 0.6, "a one-letter syllable in the name: OCR split a word")
NAME_DIGIT = define("NAME_DIGIT", 0.5, "a digit in the name")
NAME_NOT_SYLLABLE = define("NAME_NOT_SYLLABLE", 0.8, "a Vietnamese name with a word no syllable can be "
                            "('Minhnam' glued, 'Hlâm')")
NAME_QUALITY = define("NAME_QUALITY", 1.0, "the product of the name's own quality checks (NAME_* parts)",
                       variable=True)
NAME_SEVERAL_DEFENDANTS = define("NAME_SEVERAL_DEFENDANTS", 0.8, "several defendants and no operative part to "
                                  "tell the primary one")
NAME_MENTIONED_AGAIN = define("NAME_MENTIONED_AGAIN", 0.9, "the same person mentioned again in the introduction")
NAME_DISAGREES_ELSEWHERE = define("NAME_DISAGREES_ELSEWHERE", 0.7, "the name is spelled otherwise elsewhere",
                                   note="conflicting mention of the name elsewhere in the text", warns=True)
NAME_AGREES_EVERYWHERE = define("NAME_AGREES_EVERYWHERE", 0.3, "every other mention of the name agrees (one "
                                 "anchor only)", "boost")
NAME_NOT_INTRODUCED = define("NAME_NOT_INTRODUCED", 0.8, "the operative part names someone the text did not "
                              "introduce", note="the name is not among the defendants introduced")
NAME_WORD_GAP = define("NAME_WORD_GAP", 0.75, "space between the name's words where OCR may have lost a word",
                        note="space for a lost word inside the name")
NAME_WEAK_ANCHOR = define("NAME_WEAK_ANCHOR", 0.89, "the person found by a weak anchor only: a person checks",
                           "cap", note="person found by a weak anchor only")
ID_DIGITS_REPAIRED = define("ID_DIGITS_REPAIRED", 0.75, "per OCR letter-for-digit repair in a personal ID",
                             variable=True, note="{detail} OCR letter-for-digit repairs")
ID_UNCHECKED_SEVERAL_DEFENDANTS = define(
    "ID_UNCHECKED_SEVERAL_DEFENDANTS", 0.85, "several defendants and no birth date to check the ID's birth year: "
    "lost lines can put a co-defendant's ID under this name",
    note="several defendants; ID not checked against a birth date", warns=True)

# --- judgments --------------------------------------------------------------------------------

TRIAL_LEVEL_TEXT_AGREES = define("TRIAL_LEVEL_TEXT_AGREES", 0.5, "the text ('sơ thẩm'/'phúc thẩm') agrees with "
                                  "the number's trial level", "boost")
TRIAL_LEVEL_TEXT_DISAGREES = define("TRIAL_LEVEL_TEXT_DISAGREES", 0.6, "the text disagrees with the number's "
                                     "trial level")
CHARGES_FROM_INDICTMENT = define("CHARGES_FROM_INDICTMENT", 0.7, "charges read outside the defendant's clauses "
                                  "(the indictment part)")
ARTICLES_LAW_UNREAD = define("ARTICLES_LAW_UNREAD", 0.8, "article references whose law name was not read were "
                              "left out")
ARTICLES_FROM_CHARGES = define("ARTICLES_FROM_CHARGES", 0.75, "offence articles taken from the charge catalogue",
                                if_zero=0.75)
ARTICLES_STRAY_SPECIAL = define("ARTICLES_STRAY_SPECIAL", 0.75, "Special Part articles that match no charge")
ARTICLES_AGREE_WITH_CHARGES = define("ARTICLES_AGREE_WITH_CHARGES", 0.5, "articles and charges agree", "boost")
ARTICLES_WITHOUT_CHARGES = define("ARTICLES_WITHOUT_CHARGES", 0.8, "Special Part articles and no charge read")
ARTICLES_NO_OFFENCE_ARTICLE = define("ARTICLES_NO_OFFENCE_ARTICLE", 0.6, "no offence article among the articles: "
                                      "lines of the list were lost")
ARTICLES_GENERAL_PRINCIPLE = define("ARTICLES_GENERAL_PRINCIPLE", 0.6, "a General Part article among 1-11 (the "
                                     "Code's tasks, principles, effect, classes of crimes) decides no sentence: a "
                                     "digit of a cited article was lost ('38' read '3', '51' read '9')")
ARTICLES_FEWER_THAN_CHARGES = define("ARTICLES_FEWER_THAN_CHARGES", 0.7, "fewer offence articles than charges")
PENALTY_NOT_AGGREGATE = define("PENALTY_NOT_AGGREGATE", 0.7, "several charges (or an aggregate phrase without "
                                "its figure): the single term read is not known to be the aggregate", "cap")
SEVERAL_DEFENDANTS_PENALTY = define("SEVERAL_DEFENDANTS_PENALTY", 0.75, "several defendants, no operative part: "
                                     "whose penalty this is is not certain")
SEVERAL_DEFENDANTS_CHARGES = define("SEVERAL_DEFENDANTS_CHARGES", 0.85, "several defendants, no operative part: "
                                     "whose charges these are is not certain")
SUSPENSION_NEARBY_KIND = define("SUSPENSION_NEARBY_KIND", 0.6, "imprisonment read, but 'án treo'/'thử thách' "
                                 "follows the clause (the penalty's kind)")
SUSPENSION_NEARBY_TERM = define("SUSPENSION_NEARBY_TERM", 0.85, "imprisonment read, but 'án treo'/'thử thách' "
                                 "follows the clause (the term)")
PENALTY_SUMMED_TERM = define("PENALTY_SUMMED_TERM", 0.7, "several penalties without a stated aggregate: "
                              "the terms summed")
PENALTY_SUMMED_KIND = define("PENALTY_SUMMED_KIND", 0.9, "several penalties without a stated aggregate "
                              "(the penalty's kind)")
AGGREGATE_BELOW_TERM = define("AGGREGATE_BELOW_TERM", 0.6, "the aggregate is smaller than one of the terms")
PENALTY_FIRST_OF_MANY = define("PENALTY_FIRST_OF_MANY", 0.6, "several penalties of different kinds: the first "
                                "taken")
PROBATION_OF_PENALTY = define("PROBATION_OF_PENALTY", 0.98, "probation read with the penalty's term")
# observations of a penalty clause that weigh nothing (yet)
AGGREGATE_UNREAD = define("AGGREGATE_UNREAD", 1.0, "an aggregate phrase whose figure was not read "
                           "(leads to PENALTY_NOT_AGGREGATE)", "note")
PROBATION_WORDS_DISAGREE = define("PROBATION_WORDS_DISAGREE", 0.5, "the probation's number in words disagrees "
                                   "with its digits ('0 (ba) năm'): one of them is misread")
OFFENCE_UNCATALOGUED = define("OFFENCE_UNCATALOGUED", 0.5, "a printed offence name not in the catalogue")
OFFENCE_MATCH_SCORE = define("OFFENCE_MATCH_SCORE", 1.0, "the catalogue match of a quoted offence name: 1 when "
                              "exact, else its score - 0.08 (at least 0.5)", variable=True)
OFFENCE_SHORT_FORM = define("OFFENCE_SHORT_FORM", 0.97, "the first words of an official offence name, diacritics "
                             "exact: a short form in use, or the name cut by OCR (replaces the match score)")
OFFENCE_SHORT_NAME = define("OFFENCE_SHORT_NAME", 0.85, "the first words of an offence name of under 4 words",
                             "cap")
OFFENCE_CUT = define("OFFENCE_CUT", 0.85, "the quote closed where OCR broke the line: the catalogue's full name, "
                      "for a person to confirm", "cap")
CHARGE_MAY_BE_MISSING = define("CHARGE_MAY_BE_MISSING", 0.8, "a quoted name nobody could read, or an opened "
                                "quote nobody read: a charge may be missing", "cap")
OFFENCE_DIACRITICS_RESTORED = define("OFFENCE_DIACRITICS_RESTORED", 0.97, "OCR dropped or changed diacritics; "
                                      "the catalogue restores them")
OFFENCE_QUOTE_SHIFTED = define("OFFENCE_QUOTE_SHIFTED", 0.85, "an offence name read across a misplaced quote")
OFFENCE_UNQUOTED_TAIL = define("OFFENCE_UNQUOTED_TAIL", 0.85, "an offence name read from an unquoted tail")
OFFENCE_NAMED_AGAIN = define("OFFENCE_NAMED_AGAIN", 0.3, "the same offence read again (weighted by that read's "
                              "confidence)", "boost")
MONEY_WORDS_AGREE = define("MONEY_WORDS_AGREE", 0.5, "the amount in words agrees with its digits", "boost")
MONEY_WORDS_DISAGREE = define("MONEY_WORDS_DISAGREE", 0.5, "the amount in words disagrees with its digits")
MONEY_ILL_FORMED = define("MONEY_ILL_FORMED", 0.8, "the amount's digit groups are not well formed")

# --- decisions and certificates ------------------------------------------------------------------

SEVERAL_JUDGMENTS_CITED = define("SEVERAL_JUDGMENTS_CITED", 0.7, "several judgments cited: which one is executed "
                                  "is a judgement call", note="several judgments cited: {detail}", warns=True)
EFFECTIVE_BEFORE_OPERATIVE = define("EFFECTIVE_BEFORE_OPERATIVE", 0.85, "effective date found in the recitals "
                                     "only (operative part lost?)",
                                     note="effective date found before the operative part only")
DURATION_OUTSIDE_OPERATIVE = define("DURATION_OUTSIDE_OPERATIVE", 0.85, "duration found outside the operative "
                                     "part only")
CHARGES_IN_DECISION = define("CHARGES_IN_DECISION", 0.97, "charges read from a decision's text")
CHARGES_INCOMPLETE = define("CHARGES_INCOMPLETE", 0.8, "more offences named than read: the list is incomplete",
                             "cap")
FINE_IN_DECISION = define("FINE_IN_DECISION", 0.97, "a fine read from a decision's text")
SEVERAL_PROBATION_PHRASES = define("SEVERAL_PROBATION_PHRASES", 0.8, "several 'thời gian thử thách' phrases")

# --- cross-field checks (validate.cross_check) -----------------------------------------------------

DATE_NOT_REAL = define("DATE_NOT_REAL", 0.3, "not a real calendar date")
NUMBER_YEAR_AGREES = define("NUMBER_YEAR_AGREES", 0.3, "the number's year agrees with the issue date", "boost")
NUMBER_YEAR_DISAGREES = define("NUMBER_YEAR_DISAGREES", 0.75, "the number's year disagrees with the issue date")
BIRTH_IMPLAUSIBLE = define("BIRTH_IMPLAUSIBLE", 0.5, "birth date implausible for the issue date (age not 12-100)")
ID_NOT_12_DIGITS = define("ID_NOT_12_DIGITS", 0.4, "personal ID is not 12 digits", "cap")
ID_STRUCTURE_AGREES = define("ID_STRUCTURE_AGREES", 0.4, "the ID's province code and birth year agree", "boost")
BIRTH_AGREES_WITH_ID = define("BIRTH_AGREES_WITH_ID", 0.3, "the birth date agrees with the ID's birth year",
                               "boost")
ID_STRUCTURE_DISAGREES = define("ID_STRUCTURE_DISAGREES", 0.75, "the ID's province code or birth year does not "
                                 "agree")
BIRTH_DISAGREES_WITH_ID = define("BIRTH_DISAGREES_WITH_ID", 0.85, "the birth date disagrees with the ID's birth "
                                  "year")
EFFECTIVE_FAR_AFTER = define("EFFECTIVE_FAR_AFTER", 0.7, "effective date more than 3 years after the issue date")
EFFECTIVE_FAR_BEFORE = define("EFFECTIVE_FAR_BEFORE", 0.6, "effective date more than 20 years before the issue "
                               "date")
REF_LATER_THAN_ISSUE = define("REF_LATER_THAN_ISSUE", 0.6, "the cited judgment is later than the decision")
PENALTY_OUT_OF_RANGE = define("PENALTY_OUT_OF_RANGE", 0.6, "penalty term outside the legal range for its kind")
PROBATION_OUT_OF_RANGE = define("PROBATION_OUT_OF_RANGE", 0.6, "probation outside 1-5 years")
FINE_OUT_OF_RANGE = define("FINE_OUT_OF_RANGE", 0.6, "fine outside the legal range")
DURATION_OUT_OF_RANGE = define("DURATION_OUT_OF_RANGE", 0.5, "duration outside 1-240 months")

# -- several persons in one judgment (contract section 5) ---------------------------------------------
CO_DEFENDANT_UNSENTENCED = define(
    "CO_DEFENDANT_UNSENTENCED", 0.5, "a defendant named in the operative part whose sentence was not read: "
    "a person of the document, or only mentioned; a person decides", "cap",
    note="named in the operative part, no sentence read", warns=True)
TERM_SHARED_WITH_CO_DEFENDANT = define(
    "TERM_SHARED_WITH_CO_DEFENDANT", 0.6, "the same clause gave two defendants their term: which term is whose "
    "is not certain", "cap", note="the same clause sentences another defendant", warns=True)
CO_DEFENDANT_NO_OPERATIVE = define(
    "CO_DEFENDANT_NO_OPERATIVE", 0.5, "a defendant of the introduction, no operative part read: "
    "whether and how they were sentenced is not known", "cap")
TOO_MANY_DEFENDANTS = define(
    "TOO_MANY_DEFENDANTS", 0.5, "more defendants named than are read from one document: the persons past "
    "the bound are left to a person, so every name read is checked too", "cap")


# The adjustments that speak of the characters read rather than of where or how the value was
# found: a repaired or possibly lost digit, a name no syllable can be, words that disagree with
# the digits. A value marked down by one of them may be one slip off the paper -- the same kind of
# slip a registry typist makes -- so an outside source that agrees with it does not confirm it
# (reconciler.confirm).
READING_DOUBTS = frozenset({
    DIGITS_REPAIRED, NUMBER_DIGITS_REPAIRED, DIGIT_LOST, TERM_WORDS_DISAGREE, TERM_DIGITS_REPAIRED,
    TERM_DIGIT_LOST, TERM_FIGURE_WEAK, SYMBOL_ONE_LETTER, NAME_SURNAME_UNKNOWN, NAME_SURNAME_SLIP, NAME_FOREIGN_MARK, NAME_LONG_WORD, NAME_ONE_LETTER, NAME_DIGIT,
    NAME_NOT_SYLLABLE, NAME_QUALITY, NAME_DISAGREES_ELSEWHERE, NAME_WORD_GAP, ID_DIGITS_REPAIRED,
    OFFENCE_DIACRITICS_RESTORED, MONEY_WORDS_DISAGREE, MONEY_ILL_FORMED, PROBATION_WORDS_DISAGREE, DATE_NOT_REAL,
    ID_NOT_12_DIGITS, ID_STRUCTURE_DISAGREES, BIRTH_DISAGREES_WITH_ID, NUMBER_YEAR_DISAGREES,
})


def doubts_reading(steps: list[Applied]) -> bool:
    """Did any of `steps` mark the value down for its characters (READING_DOUBTS)?"""
    return any(s.adjustment in READING_DOUBTS and s.apply(1.0) < 0.999 for s in steps)

# -- issuer against the issue date (header.issuer_on_date) ---------------------------------------------
ISSUER_NOT_ON_DATE = define(
    "ISSUER_NOT_ON_DATE", 0.7, "the issuer names a body that did not exist on the issue date (a district court "
    "or a high court after 1 July 2025, a regional court before it, a province merged away): an old letterhead "
    "or a misread; a person checks", note="{detail}", warns=True)
