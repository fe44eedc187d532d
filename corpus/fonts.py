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

def _faces(d: Path, regular: str, bold: str, italic: str, bold_italic: str) -> dict[str, Path]:
    return {"R": d / regular, "B": d / bold, "I": d / italic, "BI": d / bold_italic}


FAMILIES: dict[str, dict[str, Path]] = {
    "lib-serif": _faces(LIB2, "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf", "LiberationSerif-BoldItalic.ttf"),
    "lib-sans": _faces(LIB2, "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
        "LiberationSans-Italic.ttf", "LiberationSans-BoldItalic.ttf"),
    "dejavu-serif": _faces(DEJAVU, "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
        "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"),
    "dejavu-serif-cond": _faces(DEJAVU, "DejaVuSerifCondensed.ttf", "DejaVuSerifCondensed-Bold.ttf",
        "DejaVuSerifCondensed-Italic.ttf", "DejaVuSerifCondensed-BoldItalic.ttf"),
    "dejavu-sans": _faces(DEJAVU, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"),
    # wide variation only
    "lib-mono": _faces(LIB2, "LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf",
        "LiberationMono-Italic.ttf", "LiberationMono-BoldItalic.ttf"),
    "free-mono": _faces(FREE, "FreeMono.ttf", "FreeMonoBold.ttf",
        "FreeMonoOblique.ttf", "FreeMonoBoldOblique.ttf"),
    "free-serif": _faces(FREE, "FreeSerif.ttf", "FreeSerifBold.ttf",
        "FreeSerifItalic.ttf", "FreeSerifBoldItalic.ttf"),
    "free-sans": _faces(FREE, "FreeSans.ttf", "FreeSansBold.ttf",
        "FreeSansOblique.ttf", "FreeSansBoldOblique.ttf"),
    "dejavu-sans-cond": _faces(DEJAVU, "DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf",
        "DejaVuSansCondensed-Oblique.ttf", "DejaVuSansCondensed-BoldOblique.ttf"),
    "roboto-cond": _faces(ROBOTO, "RobotoCondensed-Regular.ttf", "RobotoCondensed-Bold.ttf",
        "RobotoCondensed-Italic.ttf", "RobotoCondensed-BoldItalic.ttf"),
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
