"""Fonts with Vietnamese glyphs: DejaVu and Liberation 2 (v1 lacks Vietnamese); the wide
variation adds typewriter-like (Liberation Mono, FreeMono) and condensed (DejaVu Sans Condensed,
Roboto Condensed) faces and FreeSerif/FreeSans (Debian fonts-freefont-ttf, fonts-roboto-unhinted).
DejaVu Sans Mono and Liberation Sans Narrow (v1) are left out: they lack Vietnamese letters.

Widths are measured with reportlab's TTF metrics, in points, so that the
raster (Pillow) and the born-digital (reportlab) renderings share one layout.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
LIB2 = Path("/usr/share/fonts/truetype/liberation2")
FREE = Path("/usr/share/fonts/truetype/freefont")
ROBOTO = Path("/usr/share/fonts/truetype/roboto/unhinted")

FAMILIES: dict[str, dict[str, Path]] = {
    "lib-serif": {"R": LIB2 / "LiberationSerif-Regular.ttf", "B": LIB2 / "LiberationSerif-Bold.ttf",
                  "I": LIB2 / "LiberationSerif-Italic.ttf", "BI": LIB2 / "LiberationSerif-BoldItalic.ttf"},
    "lib-sans": {"R": LIB2 / "LiberationSans-Regular.ttf", "B": LIB2 / "LiberationSans-Bold.ttf",
                 "I": LIB2 / "LiberationSans-Italic.ttf", "BI": LIB2 / "LiberationSans-BoldItalic.ttf"},
    "dejavu-serif": {"R": DEJAVU / "DejaVuSerif.ttf", "B": DEJAVU / "DejaVuSerif-Bold.ttf",
                     "I": DEJAVU / "DejaVuSerif-Italic.ttf", "BI": DEJAVU / "DejaVuSerif-BoldItalic.ttf"},
    "dejavu-serif-cond": {"R": DEJAVU / "DejaVuSerifCondensed.ttf", "B": DEJAVU / "DejaVuSerifCondensed-Bold.ttf",
                          "I": DEJAVU / "DejaVuSerifCondensed-Italic.ttf", "BI": DEJAVU / "DejaVuSerifCondensed-BoldItalic.ttf"},
    "dejavu-sans": {"R": DEJAVU / "DejaVuSans.ttf", "B": DEJAVU / "DejaVuSans-Bold.ttf",
                    "I": DEJAVU / "DejaVuSans-Oblique.ttf", "BI": DEJAVU / "DejaVuSans-BoldOblique.ttf"},
    # wide variation only
    "lib-mono": {"R": LIB2 / "LiberationMono-Regular.ttf", "B": LIB2 / "LiberationMono-Bold.ttf",
                 "I": LIB2 / "LiberationMono-Italic.ttf", "BI": LIB2 / "LiberationMono-BoldItalic.ttf"},
    "free-mono": {"R": FREE / "FreeMono.ttf", "B": FREE / "FreeMonoBold.ttf",
                  "I": FREE / "FreeMonoOblique.ttf", "BI": FREE / "FreeMonoBoldOblique.ttf"},
    "free-serif": {"R": FREE / "FreeSerif.ttf", "B": FREE / "FreeSerifBold.ttf",
                   "I": FREE / "FreeSerifItalic.ttf", "BI": FREE / "FreeSerifBoldItalic.ttf"},
    "free-sans": {"R": FREE / "FreeSans.ttf", "B": FREE / "FreeSansBold.ttf",
                  "I": FREE / "FreeSansOblique.ttf", "BI": FREE / "FreeSansBoldOblique.ttf"},
    "dejavu-sans-cond": {"R": DEJAVU / "DejaVuSansCondensed.ttf", "B": DEJAVU / "DejaVuSansCondensed-Bold.ttf",
                         "I": DEJAVU / "DejaVuSansCondensed-Oblique.ttf", "BI": DEJAVU / "DejaVuSansCondensed-BoldOblique.ttf"},
    "roboto-cond": {"R": ROBOTO / "RobotoCondensed-Regular.ttf", "B": ROBOTO / "RobotoCondensed-Bold.ttf",
                    "I": ROBOTO / "RobotoCondensed-Italic.ttf", "BI": ROBOTO / "RobotoCondensed-BoldItalic.ttf"},
}
# how often each family is used: court paper is mostly Times New Roman (= Liberation Serif)
FAMILY_WEIGHTS = {"lib-serif": 55, "dejavu-serif": 15, "dejavu-serif-cond": 10, "lib-sans": 10, "dejavu-sans": 10}
# the wide variation: Times still common, but typewriters, condensed and other faces too
WIDE_FAMILY_WEIGHTS = {"lib-serif": 16, "dejavu-serif": 6, "dejavu-serif-cond": 6, "lib-sans": 5, "dejavu-sans": 5,
                       "lib-mono": 12, "free-mono": 12, "free-serif": 10, "free-sans": 6, "dejavu-sans-cond": 10,
                       "roboto-cond": 12}
MONO = {"lib-mono", "free-mono"}
CONDENSED = {"dejavu-serif-cond", "dejavu-sans-cond", "roboto-cond"}


def available() -> dict[str, dict[str, Path]]:
    return {k: v for k, v in FAMILIES.items() if all(p.exists() for p in v.values())}


def rl_name(family: str, style: str) -> str:
    name = f"{family}-{style}"
    _register(name, str(FAMILIES[family][style]))
    return name


@lru_cache(maxsize=None)
def _register(name: str, path: str) -> None:
    pdfmetrics.registerFont(TTFont(name, path))


def width(text: str, family: str, style: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, rl_name(family, style), size)


@lru_cache(maxsize=256)
def pil_font(family: str, style: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FAMILIES[family][style]), px)
