"""Named adjustments for reads a careful reader would not trust without a look (issue 15: the silent
errors of the wide held-out corpora). Registered in evidence.REGISTRY like the others, defined here
so that the extractor's modules that find them (person, judgment, decision) own them.
"""
from __future__ import annotations

from .evidence import define

ID_PIECE_UNCHECKED = define(
    "ID_PIECE_UNCHECKED", 0.85, "the personal ID was read in pieces (OCR split it at a gap) and a piece no second "
    "read checked: a digit of it may be misread at a high word confidence", "cap",
    note="personal ID read in pieces, not all checked by a second read")
NAME_FAMILY_SLIP = define(
    "NAME_FAMILY_SLIP", 0.8, "a Central Highlands name whose family name is no known one, but one letter from "
    "one ('Ênuôi' for 'Ênuôl'): a letter misread")
BIRTH_MENTIONS_DIFFER = define(
    "BIRTH_MENTIONS_DIFFER", 0.6, "another mention of the birth date differs from it in one part (day, month "
    "or year): one of them is misread", note="birth date read otherwise elsewhere: {detail}", warns=True)
DATE_FIGURE_WEAK = define(
    "DATE_FIGURE_WEAK", 0.85, "a figure of the date read weakly and no second read agreeing ('10' read '19' at "
    "0.87: a two-digit day is too short to be given one)")
NUMBER_FIGURE_WEAK = define(
    "NUMBER_FIGURE_WEAK", 0.85, "a cited number read weakly and no second read agreeing ('372' for '373')")
