"""Second read of weakly read letter words by the script/Vietnamese model (pipeline/ocr/letter_reread.py),
with real Tesseract on a rendered line. A weak read is made by lowering the confidence the first
read gave (the ink and the crop are real)."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from ocr_lines import rendered_line
from sohoa.pipeline.ocr import letter_reread

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None or not letter_reread.second_model_installed(),
                                reason="tesseract or its script/Vietnamese model not installed")

LINE = "Bị cáo: NGUYỄN VĂN KIÊN, Quyết định số 686/2017/QĐ-MCHA của Tòa án Đống Đa"


@pytest.fixture(scope="module")
def line():
    return rendered_line(LINE, 1900)


def _at(words, text):
    return next(i for i, w in enumerate(words) if w.text.rstrip(",") == text)


@pytest.mark.parametrize("text,letter", [("KIÊN,", True), ("Nguyễn", True), ("QĐ-MCHA", True),
                                         ("686/2017/QĐ-MCHA", True), ("125/2024/HS-ST", False),
                                         ("của", False), ("18/03/2024", False), ("A", False), ("Đ.|~", False)])
def test_which_words_are_letter_words(text, letter):
    assert letter_reread.is_letter_word(text) is letter


@pytest.mark.parametrize("name", ["VĂN", "Đống", "686/2017/QĐ-MCHA"])
def test_weak_right_word_is_verified(line, name):
    g, words = line
    i = _at(words, name)
    weak = list(words)
    weak[i] = replace(words[i], conf=0.45)
    out, stats = letter_reread.second_read_letters(g, weak)
    assert stats["checked"] >= 1
    assert out[i].verified and out[i].alternatives == () and out[i].text == words[i].text


@pytest.mark.parametrize("right,misread", [("NGUYỄN", "NGUYÊN"), ("Đống", "Đồng")])
def test_weak_wrong_word_gets_the_right_spelling_as_alternative(line, right, misread):
    g, words = line
    i = _at(words, right)
    wrong = list(words)
    wrong[i] = replace(words[i], text=misread, conf=0.5)
    out, _ = letter_reread.second_read_letters(g, wrong)
    assert not out[i].verified
    assert right in out[i].alternatives
    assert out[i].text == misread  # the read is kept: the field stays a question


def test_sure_word_is_not_reread(line):
    g, words = line
    sure = [replace(w, conf=max(w.conf, 0.9)) for w in words]
    out, stats = letter_reread.second_read_letters(g, sure)
    assert stats["checked"] == 0 and out == sure
