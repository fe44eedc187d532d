"""The logical document a template produces, before layout.

Inline markup in block text: **bold** and ~~italic~~ runs (word granularity).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    kind: str  # para | center | heading | left | kv | spacer | rule
    text: str = ""
    style: str = "R"  # R B I BI: the block's base style
    size: float = 0.0  # point size offset from the base size
    indent: bool = True  # first-line indent for paragraphs
    space_before: float = 0.0  # in lines
    keep_with_next: bool = False
    cols: list[str] = field(default_factory=list)  # kv: two texts on one line (left, right)


@dataclass
class Header:
    body_lines: list[str]  # issuer lines, upper case (parent line first, if any)
    bold_from: int  # index of the first bold body line (parent lines are regular)
    number_line: str  # "Số: 125/2024/HS-ST"
    under_number: list[str] = field(default_factory=list)  # e.g. "Ngày: 18-3-2024", "V/v ..."
    place_date: str | None = None  # "Hà Nội, ngày 18 tháng 3 năm 2024"
    layout: str = "two_col"  # two_col | stacked
    motto_upper: str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto_lower: str = "Độc lập - Tự do - Hạnh phúc"


@dataclass
class Signature:
    role_lines: list[str]  # "TM. HỘI ĐỒNG XÉT XỬ", "THẨM PHÁN - CHỦ TỌA PHIÊN TÒA"
    name: str
    recipients: list[str] | None  # "Nơi nhận:" list, or None
    seal_ring: str  # text around the seal
    seal: bool = True
    signed_note: str | None = None  # "(Đã ký)" on copies
    left_block: list[str] | None = None  # alternative left block (e.g. photo caption)
    photo: bool = False


@dataclass
class Doc:
    header: Header
    title: list[str]  # centred bold lines
    subtitle: list[str]  # centred lines under the title (bold or italic per template)
    subtitle_style: str
    blocks: list[Block]
    signature: Signature
    page_numbers: bool = False
