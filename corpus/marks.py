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
