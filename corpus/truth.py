"""The strict comparison accuracy is judged by: a value read is right only when it is exactly the
generator's truth in the contract's canonical form (../shared/contracts/README.md, section 2).

No case folding, no Unicode or whitespace normalising (the canonical form is NFC with single
spaces: anything else is a different value), no year-only birth date agreeing with a full date
(the truth holds what the paper prints: `1972` when only the year is printed), a number only as
an int (not `"24"`). Two liberties, the contract's own (section 2): `charges` and
`penal_code_articles` have no order; and of `penal_code_articles` the offence articles (Special
Part, 108 and above) must all be there and no other, while General Part articles *may* be --
one left out is no error, one the paper does not cite ('3' for '38') is.

Test tooling, kept apart from `reconciler.compare.values_agree` on purpose: that leniency is the
production's rule for matching a document to a registry record, and judging the extractor by the
code's own rule would hide exactly the differences it forgives.
"""
from __future__ import annotations

from typing import Any

INT_FIELDS = frozenset({"penalty_months", "probation_months", "fine_vnd", "duration_months"})
LIST_FIELDS = frozenset({"charges", "penal_code_articles"})
SPECIAL_PART_FIRST = 108  # Penal Code 2015: Part Two (the offences) starts at Article 108


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def same_value(field: str, got: Any, want: Any) -> bool:
    """True when `got` (a value the system reported for `field`) is exactly `want` (the truth's
    canonical value)."""
    if field in INT_FIELDS:
        return _is_int(got) and _is_int(want) and got == want
    if field == "penal_code_articles" and isinstance(got, list) and isinstance(want, list):
        if not all(isinstance(x, str) and x.isdigit() for x in got):
            return False
        special = [x for x in got if int(x) >= SPECIAL_PART_FIRST]
        return (sorted(special) == sorted(x for x in want if x.isdigit() and int(x) >= SPECIAL_PART_FIRST)
                and set(got) <= set(want))
    if field in LIST_FIELDS:
        return (isinstance(got, list) and isinstance(want, list)
                and all(isinstance(x, str) for x in got) and sorted(got) == sorted(want))
    return isinstance(got, str) and isinstance(want, str) and got == want
