"""Single synthetic scanned pages of Vietnamese text, for the OCR tests and benchmarks.

Renders text with Pillow at a given dpi onto an A4 page and degrades it like
a scanner would (noise, blur, skew, a red seal, uneven background). The seal
is the corpus's own (marks.seal_image). Whole documents and batches are
generate_batch's business (batch.py); nothing in the pipeline imports this.
"""
from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sohoa.corpus.marks import seal_image
from sohoa.corpus.render import multiply

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"

HEADER_LEFT = ["TÒA ÁN NHÂN DÂN", "QUẬN CẦU GIẤY", "Số: 125/2024/HS-ST"]
SEAL_TEXT = "TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY"
HEADER_RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]

PARAGRAPHS = [
    "BẢN ÁN 125/2024/HS-ST NGÀY 18 THÁNG 3 NĂM 2024",
    "NHÂN DANH NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Ngày 18 tháng 3 năm 2024, tại trụ sở Tòa án nhân dân quận Cầu Giấy, "
    "thành phố Hà Nội xét xử sơ thẩm công khai vụ án hình sự thụ lý số "
    "98/2024/TLST-HS ngày 02 tháng 02 năm 2024 đối với bị cáo:",
    "Nguyễn Văn An, sinh ngày 02 tháng 5 năm 1990 tại Hà Nội; số định danh "
    "cá nhân: 001090012345; nơi cư trú: số 12 phố Trần Duy Hưng, phường "
    "Trung Hòa, quận Cầu Giấy; nghề nghiệp: lao động tự do; trình độ văn "
    "hóa: 12/12; dân tộc: Kinh; giới tính: nam; tôn giáo: không.",
    "Bị cáo bị truy tố về tội Trộm cắp tài sản theo khoản 1 Điều 173 Bộ "
    "luật Hình sự. Hội đồng xét xử nhận thấy lời khai của bị cáo phù hợp "
    "với lời khai của người bị hại, vật chứng thu giữ và các tài liệu, "
    "chứng cứ khác có trong hồ sơ vụ án.",
    "Căn cứ khoản 1 Điều 173; điểm s khoản 1 Điều 51; Điều 38 Bộ luật Hình "
    "sự; xử phạt bị cáo Nguyễn Văn An 24 (hai mươi bốn) tháng tù, thời hạn "
    "tù tính từ ngày bắt tạm giam 05 tháng 01 năm 2024.",
    "Bị cáo có quyền kháng cáo bản án trong thời hạn mười lăm ngày kể từ "
    "ngày tuyên án. Người bị hại vắng mặt có quyền kháng cáo trong thời hạn "
    "mười lăm ngày kể từ ngày nhận được bản án hoặc bản án được niêm yết.",
    "Nơi nhận: Viện kiểm sát nhân dân quận Cầu Giấy; Cơ quan thi hành án "
    "hình sự Công an quận Cầu Giấy; Sở Tư pháp thành phố Hà Nội; lưu hồ sơ.",
]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    cur = ""
    for word in text.split():
        cand = f"{cur} {word}".strip()
        if font.getlength(cand) <= width or not cur:
            cur = cand
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def render_page(
    paragraphs: list[str] | None = None,
    *,
    dpi: int = 300,
    font_pt: float = 12.0,
    header: bool = True,
    size_in: tuple[float, float] = (8.27, 11.69),
) -> tuple[Image.Image, str]:
    """A clean white page (RGB) and its ground-truth text (NFC, one line per line)."""
    paragraphs = PARAGRAPHS if paragraphs is None else paragraphs
    w, h = int(size_in[0] * dpi), int(size_in[1] * dpi)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    px = lambda pt: int(round(pt * dpi / 72))  # noqa: E731
    font = ImageFont.truetype(SERIF, px(font_pt))
    bold = ImageFont.truetype(SERIF_BOLD, px(font_pt))
    margin_l, margin_r, y = px(72), px(56), px(64)
    line_h = int(px(font_pt) * 1.45)
    truth: list[str] = []
    if header:
        # the usual two-column header: issuing body left, national motto right
        col_w = (w - margin_l - margin_r) // 2
        for col, lines_ in enumerate((HEADER_LEFT, HEADER_RIGHT)):
            yy = y
            for i, line in enumerate(lines_):
                f = bold if i == 0 or (col == 1 and i == 1) else font
                size = px(font_pt * (0.9 if col == 1 and i == 0 else 1.0))
                f = ImageFont.truetype(f.path, size)
                tw = f.getlength(line)
                x = margin_l + col * col_w + (col_w - tw) / 2
                draw.text((x, yy), line, font=f, fill="black")
                truth.append(line)
                yy += line_h
        y += line_h * 4
    for para in paragraphs:
        for line in _wrap(para, font, w - margin_l - margin_r):
            if y + line_h > h - px(48):
                break
            draw.text((margin_l, y), line, font=font, fill="black")
            truth.append(line)
            y += line_h
        y += line_h // 2
    img.info["dpi"] = (dpi, dpi)
    return img, unicodedata.normalize("NFC", "\n".join(truth))


def add_seal(img: Image.Image, center: tuple[int, int] | None = None, radius: int | None = None,
             seed: int = 0) -> Image.Image:
    """Stamp a red round seal (marks.seal_image: rings, ring text, star) over the page, multiplied
    like ink on paper so text under it stays dark."""
    rgb = img.convert("RGB")
    w, h = rgb.size
    radius = radius or w // 9
    cx, cy = center or (int(w * 0.30), int(h * 0.33))
    seal = seal_image(SEAL_TEXT, radius, seed)
    arr = np.array(rgb)
    multiply(arr, seal, cx - seal.width // 2, cy - seal.height // 2)
    out = Image.fromarray(arr, "RGB")
    out.info["dpi"] = img.info.get("dpi", (300, 300))
    return out


def degrade(
    img: Image.Image,
    *,
    seed: int = 0,
    noise: float = 12.0,
    blur: float = 0.6,
    skew_deg: float = 0.0,
    rotate: int = 0,
    background: bool = True,
    salt: float = 0.0008,
) -> Image.Image:
    """Make a clean render look scanned. rotate: 0/90/180/270 (counter-clockwise)."""
    rng = np.random.default_rng(seed)
    dpi = img.info.get("dpi", (300, 300))
    mode = img.mode
    im = img.convert("RGB")
    if skew_deg:
        im = im.rotate(skew_deg, resample=Image.Resampling.BICUBIC, expand=False, fillcolor="white")
    if blur:
        im = im.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(im).astype(np.float32)
    if background:
        h, w = arr.shape[:2]
        yy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        xx = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        shade = 235 + 15 * (1 - yy) * (0.5 + 0.5 * xx)  # paper not quite white, uneven
        arr *= shade[..., None] / 255.0
        arr[..., 2] *= 0.97  # slightly yellow paper
    if noise:
        arr += rng.normal(0, noise, arr.shape[:2])[..., None]
    if salt:
        m = rng.random(arr.shape[:2]) < salt
        arr[m] = 20
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    if mode == "L":
        out = out.convert("L")
    if rotate:
        out = out.transpose({90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}[rotate])
    out.info["dpi"] = dpi
    return out


def scan_page(seed: int = 0, *, paragraphs: list[str] | None = None, seal: bool = False, gray: bool = False,
              dpi: int = 300, **degrade_kw) -> tuple[Image.Image, str]:
    """A degraded scanned page and its ground truth."""
    img, truth = render_page(paragraphs, dpi=dpi)
    if seal:
        img = add_seal(img)
    if gray:
        img = img.convert("L")
        img.info["dpi"] = (dpi, dpi)
    return degrade(img, seed=seed, **degrade_kw), truth


def varied_paragraphs(seed: int) -> list[str]:
    """The sample paragraphs with numbers and names varied, so pages differ."""
    rng = random.Random(seed)
    names = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Dũng", "Phạm Minh Đức", "Vũ Thị Hường"]
    pid = "0" + "".join(str(rng.randrange(10)) for _ in range(11))
    out = []
    for p in PARAGRAPHS:
        p = p.replace("Nguyễn Văn An", names[seed % len(names)]).replace("001090012345", pid)
        out.append(p)
    rng.shuffle(out)
    return out


def save_image_pdf(images: list[Image.Image], path: Path, *, jpeg: bool = True) -> Path:
    """An image-only PDF, one image per page, via img2pdf (images kept as encoded)."""
    import io

    import img2pdf

    blobs = []
    for im in images:
        buf = io.BytesIO()
        dpi = im.info.get("dpi", (300, 300))
        if jpeg:
            im.convert("RGB" if im.mode not in ("L", "RGB") else im.mode).save(buf, "JPEG", quality=85, dpi=dpi)
        else:
            im.save(buf, "PNG", dpi=dpi)
        blobs.append(buf.getvalue())
    path.write_bytes(img2pdf.convert(blobs))
    return path


def cer(truth: str, hyp: str) -> float:
    """Character error rate over whitespace-normalised NFC text (Levenshtein / len(truth))."""
    t = " ".join(unicodedata.normalize("NFC", truth).split())
    h = " ".join(unicodedata.normalize("NFC", hyp).split())
    if not t:
        return 0.0 if not h else 1.0
    prev = list(range(len(h) + 1))
    for i, ct in enumerate(t, 1):
        cur = [i] + [0] * len(h)
        for j, ch in enumerate(h, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ct != ch))
        prev = cur
    return prev[-1] / len(t)
