"""The strict comparison accuracy is judged by (corpus/truth.py): exactly the truth's canonical
form, where reconciler.compare.values_agree -- the production's matching rule -- is lenient."""
from __future__ import annotations

import unicodedata

import pytest
from sohoa.corpus.truth import same_value
from sohoa.reconciler.compare import values_agree

HCM = "Tòa án nhân dân Thành phố Hồ Chí Minh"


@pytest.mark.parametrize("field,got,want", [
    ("issuer", "Tòa án nhân dân thành phố Hồ Chí Minh", HCM),  # case
    ("issuer", "Tòa án nhân dân  Thành phố Hồ Chí Minh", HCM),  # two spaces
    ("issuer", unicodedata.normalize("NFD", HCM), HCM),  # not NFC
    ("person_name", "nguyễn văn an", "Nguyễn Văn An"),
    ("document_number", "125/2024/hs-st", "125/2024/HS-ST"),
    ("birth_date", "1990", "1990-05-02"),  # the year for a full date
    ("birth_date", "1990-05-02", "1990"),
    ("penal_code_articles", ["173", "3"], ["173", "38"]),  # a General Part article the paper lacks
    ("penal_code_articles", ["51"], ["173", "51"]),  # the offence article left out
    ("penal_code_articles", ["173", "174", "51"], ["173", "51"]),  # an offence article the paper lacks
    ("penal_code_articles", ["173", "173"], ["173"]),  # an offence article twice
    ("penalty_months", "24", 24),  # a number as text
    ("penalty_months", True, 1),
    ("fine_vnd", 5_000_000.0, 5_000_000),
])
def test_any_other_form_is_wrong(field, got, want):
    assert not same_value(field, got, want)


@pytest.mark.parametrize("field,got,want", [
    ("issuer", HCM, HCM),
    ("penal_code_articles", ["51", "173"], ["173", "51"]),  # the contract gives lists no order
    ("penal_code_articles", ["173"], ["173", "51", "38"]),  # General Part articles "may be" there
    ("charges", ["Cướp tài sản", "Trộm cắp tài sản"], ["Trộm cắp tài sản", "Cướp tài sản"]),
    ("penalty_months", 24, 24),
    ("birth_date", "1972", "1972"),
])
def test_the_canonical_form_itself_is_right(field, got, want):
    assert same_value(field, got, want) and values_agree(field, got, want)


def test_a_list_counts_its_repeats():
    assert not same_value("charges", ["Cướp tài sản", "Cướp tài sản"], ["Cướp tài sản"])
