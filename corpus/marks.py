"""Red round seals, handwritten signatures and ID photos as RGBA images."""
from __future__ import annotations

import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from sohoa.corpus import fonts

SEAL_RED = (205, 32, 45)


def seal_image(ring: str, radius_px: int, seed: int) -> Image.Image:
    """A Vietnamese round seal: double ring, text along the ring, star in the middle."""
    rng = random.Random(seed)
    size = radius_px * 2 + 4
    a = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(a)
    c = size / 2
    R = radius_px
    w_out = max(2, int(R * 0.055))
    d.ellipse([c - R, c - R, c + R, c + R], outline=255, width=w_out)
    r_in = R * 0.64
    d.ellipse([c - r_in, c - r_in, c + r_in, c + r_in], outline=255, width=max(1, int(R * 0.02)))
    # star
    rs = R * 0.28
    pts = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        rr = rs if k % 2 == 0 else rs * 0.4
        pts.append((c + rr * math.cos(ang), c + rr * math.sin(ang)))
    d.polygon(pts, fill=255)
    # ring text
    text = ring.upper().strip() + " "
    fs = max(8, int(R * 0.2))
    font = fonts.pil_font("dejavu-sans", "B", fs)
    rt = (R - w_out + r_in) / 2
    n = len(text)
    start = -math.pi / 2 - math.pi * 0.98
    span = 2 * math.pi * 0.98
    for i, ch in enumerate(text):
        if ch == " ":
            continue
        th = start + span * (i + 0.5) / n
        g = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(g).text((fs, fs), ch, font=font, fill=255, anchor="mm")
        g = g.rotate(-math.degrees(th) - 90, resample=Image.Resampling.BILINEAR)
        x = int(c + rt * math.cos(th) - fs)
        y = int(c + rt * math.sin(th) - fs)
        a.paste(255, (x, y), g)
    arr = np.asarray(a, dtype=np.float32) / 255.0
    # uneven ink
    nrng = np.random.default_rng(seed)
    blot = cv2.resize(nrng.uniform(0.45, 1.0, (12, 12)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
    speck = nrng.uniform(0.75, 1.0, arr.shape).astype(np.float32)
    arr = np.clip(arr * blot * speck * rng.uniform(0.75, 0.95), 0, 1)
    arr = cv2.GaussianBlur(arr, (0, 0), 0.6)
    rgba = np.zeros((size, size, 4), np.uint8)
    col = [min(255, max(0, v + rng.randint(-20, 15))) for v in SEAL_RED]
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = col
    rgba[..., 3] = (arr * 255).astype(np.uint8)
    img = Image.fromarray(rgba, "RGBA")
    return img.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BILINEAR)


def signature_image(w_px: int, h_px: int, seed: int) -> Image.Image:
    """A scribbled signature in blue or black ink."""
    rng = random.Random(seed)
    img = np.zeros((h_px, w_px), np.uint8)
    n_strokes = rng.randint(2, 4)
    thick = max(2, int(h_px * 0.025))
    x = w_px * 0.08
    for s in range(n_strokes):
        pts = []
        steps = rng.randint(30, 60)
        amp = h_px * rng.uniform(0.15, 0.35)
        freq = rng.uniform(1.5, 4.0)
        length = w_px * rng.uniform(0.3, 0.6)
        y0 = h_px * rng.uniform(0.35, 0.65)
        ph = rng.uniform(0, 6.28)
        for k in range(steps):
            t = k / (steps - 1)
            xx = x + length * t + math.sin(t * 9 + ph) * w_px * 0.02
            yy = y0 + amp * math.sin(t * freq * math.pi * 2 + ph) * (1 - 0.5 * t)
            pts.append((int(xx), int(yy)))
        cv2.polylines(img, [np.array(pts, np.int32)], False, 255, thick, lineType=cv2.LINE_AA)
        x += length * rng.uniform(0.5, 0.9)
    # underline flourish
    y = int(h_px * rng.uniform(0.7, 0.85))
    cv2.line(img, (int(w_px * 0.1), y), (int(w_px * rng.uniform(0.6, 0.95)), y - int(h_px * 0.1)), 255, thick, cv2.LINE_AA)
    ink = rng.choice([(20, 40, 140), (15, 15, 20), (30, 50, 170)])
    rgba = np.zeros((h_px, w_px, 4), np.uint8)
    rgba[..., :3] = ink
    rgba[..., 3] = (img.astype(np.float32) * rng.uniform(0.8, 0.95)).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def photo_image(w_px: int, h_px: int, seed: int) -> Image.Image:
    """A grey ID photo: light background, head-and-shoulders silhouette."""
    rng = random.Random(seed)
    bg = rng.randint(175, 225)
    img = Image.new("RGB", (w_px, h_px), (bg, bg, bg + rng.randint(0, 20)))
    d = ImageDraw.Draw(img)
    skin = rng.randint(90, 150)
    cx = w_px / 2
    d.ellipse([cx - w_px * 0.22, h_px * 0.15, cx + w_px * 0.22, h_px * 0.55], fill=(skin, skin - 10, skin - 20))
    d.ellipse([cx - w_px * 0.45, h_px * 0.6, cx + w_px * 0.45, h_px * 1.3], fill=(40, 40, 50))
    d.rectangle([0, 0, w_px - 1, h_px - 1], outline=(60, 60, 60), width=2)
    return img.filter(ImageFilter.GaussianBlur(1.5))


def stamp_image(lines: list[str], w_px: int, h_px: int, seed: int) -> Image.Image:
    """A rectangular office stamp ('VĂN THƯ - ĐẾN', number, date) in violet, red or blue ink;
    the first line is stamped, the entries after it handwritten into the box."""
    rng = random.Random(seed)
    a = Image.new("L", (w_px, h_px), 0)
    d = ImageDraw.Draw(a)
    bw = max(2, h_px // 30)
    d.rectangle([bw, bw, w_px - bw - 1, h_px - bw - 1], outline=255, width=bw)
    n = max(1, len(lines))
    lh = (h_px - 4 * bw) / n
    for i, ln in enumerate(lines):
        hand = i > 0
        fam, st = ("free-serif", "I") if hand else ("dejavu-sans-cond", "B")
        fs = max(8, int(lh * (0.7 if hand else 0.62)))
        font = fonts.pil_font(fam, st, fs)
        y = int(2 * bw + lh * (i + 0.5))
        x = int(3 * bw + (rng.uniform(0, w_px * 0.06) if hand else max(0, (w_px - 6 * bw - d.textlength(ln, font=font)) / 2)))
        d.text((x, y), ln, font=font, fill=255, anchor="lm")
    arr = np.asarray(a, dtype=np.float32) / 255.0
    nrng = np.random.default_rng(seed)
    blot = cv2.resize(nrng.uniform(0.75, 1.0, (6, 10)).astype(np.float32), (w_px, h_px), interpolation=cv2.INTER_CUBIC)
    arr = np.clip(arr * blot * rng.uniform(0.88, 1.0), 0, 1)
    arr = cv2.GaussianBlur(arr, (0, 0), 0.7)
    ink = rng.choice([(95, 25, 130), (185, 25, 40), (25, 45, 150)])
    rgba = np.zeros((h_px, w_px, 4), np.uint8)
    rgba[..., :3] = ink
    rgba[..., 3] = (arr * 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA").rotate(rng.uniform(-6, 6), resample=Image.Resampling.BILINEAR, expand=True)


def note_image(text: str, w_px: int, h_px: int, seed: int) -> Image.Image:
    """A handwritten margin note: slanted italic letters, uneven baseline, a stroke under it;
    written upwards when the box is taller than wide (the left margin)."""
    rng = random.Random(seed)
    upright = w_px >= h_px
    W, H = (w_px, h_px) if upright else (h_px, w_px)
    a = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(a)
    fs = max(10, int(H * 0.55))
    font = fonts.pil_font(rng.choice(["free-serif", "dejavu-serif-cond"]), "I", fs)
    while fs > 8 and d.textlength(text, font=font) > W * 0.92:
        fs -= 1
        font = fonts.pil_font("free-serif", "I", fs)
    x = W * 0.04
    for ch in text:
        y = H * 0.55 + rng.uniform(-H * 0.06, H * 0.06)
        d.text((x, y), ch, font=font, fill=255, anchor="ls")
        x += d.textlength(ch, font=font) * rng.uniform(0.95, 1.1)
    arr = np.asarray(a, dtype=np.uint8).copy()
    if rng.random() < 0.6:
        y = int(H * 0.72)
        cv2.line(arr, (int(W * 0.03), y), (int(min(x, W - 2)), y - int(H * rng.uniform(-0.1, 0.15))), 255,
                 max(1, fs // 12), cv2.LINE_AA)
    img = Image.fromarray(arr, "L").transform((W, H), Image.Transform.AFFINE, (1, rng.uniform(0.1, 0.3), -H * 0.1, 0, 1, 0),
                                              resample=Image.Resampling.BILINEAR)
    img = img.rotate(rng.uniform(-4, 4), resample=Image.Resampling.BILINEAR)
    if not upright:
        img = img.rotate(90, expand=True)
    ink = rng.choice([(20, 40, 140), (30, 50, 170), (150, 30, 40), (40, 40, 40)])
    rgba = np.zeros((img.height, img.width, 4), np.uint8)
    rgba[..., :3] = ink
    rgba[..., 3] = (np.asarray(img, dtype=np.float32) * rng.uniform(0.75, 0.95)).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")
