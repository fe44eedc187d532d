"""Scanner and paper defects applied to a clean page raster (numpy, no per-pixel loops).

`plan(rng, level)` draws the defects of one document (so all its pages look
like they went through the same scanner); `apply(img, plan, rng)` applies
them to one page and returns the page and what was done to it.
"""
from __future__ import annotations

import random
from typing import Any

import cv2
import numpy as np
from sohoa.corpus import variation

LEVELS = ("none", "light", "medium", "heavy")


def plan(rng: random.Random, level: str) -> dict[str, Any]:
    if level not in LEVELS:
        raise ValueError(f"degradation must be one of {LEVELS}, not {level!r}")
    p: dict[str, Any] = {"level": level, "skew": 0.0, "noise": 0.0, "blur": 0.0, "jpeg": None, "yellow": 0.0, "illum": 0.0,
         "stains": 0, "saltpepper": 0.0, "lines": 0, "rot90": 0.0, "punch": False, "shadow": 0.0, "fade": 0.0}
    if level == "none":
        return p
    if level == "light":
        p.update(skew=rng.uniform(0.3, 1.0), noise=rng.uniform(1.5, 3), blur=rng.choice([0, 0, 0.5]),
                 yellow=rng.uniform(0, 0.04), illum=rng.uniform(0, 0.05), jpeg=rng.choice([None, 85, 90]))
    elif level == "medium":
        p.update(skew=rng.uniform(0.5, 2.2), noise=rng.uniform(2.5, 5), blur=rng.choice([0, 0.6, 0.8, 1.0]),
                 yellow=rng.uniform(0.03, 0.1), illum=rng.uniform(0.04, 0.12), jpeg=rng.choice([None, 60, 75, 85]),
                 stains=rng.choice([0, 0, 1]), saltpepper=rng.choice([0, 0.0005]), lines=rng.choice([0, 0, 1]),
                 punch=rng.random() < 0.3, shadow=rng.choice([0, 0, 0.25]), fade=rng.choice([0, 0, 0.15]))
    else:
        p.update(skew=rng.uniform(1.5, 4.0), noise=rng.uniform(5, 10), blur=rng.choice([0.8, 1.1, 1.4]),
                 yellow=rng.uniform(0.08, 0.18), illum=rng.uniform(0.1, 0.22), jpeg=rng.choice([35, 45, 60]),
                 stains=rng.choice([1, 1, 2]), saltpepper=rng.choice([0.001, 0.002]), lines=rng.choice([1, 2, 3]),
                 rot90=0.2, punch=rng.random() < 0.5, shadow=rng.choice([0, 0.3, 0.45]), fade=rng.choice([0, 0.2, 0.3]))
    p["skew"] *= rng.choice([-1, 1])
    if variation.is_wide():  # photocopies of photocopies: each generation one more pass
        p["copies"] = rng.choice({"light": [0, 0, 0, 1], "medium": [0, 1, 1, 2], "heavy": [1, 2, 2, 3]}[level])
    return p


def photocopy(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> tuple[np.ndarray, float]:
    """One photocopier generation: harder contrast (greys go to black or white), toner blur,
    toner speckle and a dark band at an edge, the sheet a little skewed on the glass.
    Returns the copy and its skew in degrees."""
    h, w = img.shape[:2]
    lo, hi = rng.uniform(40, 90), rng.uniform(175, 225)
    lut = np.clip((np.arange(256, dtype=np.float32) - lo) * 255.0 / (hi - lo), 0, 255).astype(np.uint8)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)  # a photocopier sees grey, and prints black
    out = cv2.LUT(cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB), lut)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.0))
    k = int(h * w * rng.uniform(0.0002, 0.0008))  # toner specks, some a few pixels wide
    ys, xs = nrng.integers(0, h, k), nrng.integers(0, w, k)
    rad = nrng.integers(0, 3, k)
    for y, x, r in zip(ys[: k // 8], xs[: k // 8], rad[: k // 8]):
        cv2.circle(out, (int(x), int(y)), int(r) + 1, (30, 30, 30), -1)
    out[ys, xs] = 35
    if rng.random() < 0.5:  # the lid was not closed: a grey band at one edge
        band = int(w * rng.uniform(0.01, 0.03))
        side = rng.choice(["l", "r", "t", "b"])
        region = {"l": np.s_[:, :band], "r": np.s_[:, w - band:], "t": np.s_[:band, :], "b": np.s_[h - band:, :]}[side]
        out[region] = (out[region].astype(np.float32) * rng.uniform(0.3, 0.6)).astype(np.uint8)
    ang = rng.uniform(-0.8, 0.8)
    M = cv2.getRotationMatrix2D((w / 2, h / 2), ang, rng.uniform(0.985, 1.0))
    out = cv2.warpAffine(out, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
    return out, ang


def _lowfreq(nrng: np.random.Generator, h: int, w: int, cells: int = 4) -> np.ndarray:
    small = nrng.uniform(-1, 1, (cells, cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def apply(img: np.ndarray, p: dict, rng: random.Random, page_no: int = 1) -> tuple[np.ndarray, dict]:
    """Degrade one RGB uint8 page; returns the new page and a record of what was applied.

    Whole-page work stays in uint8 cv2 calls; paper tint, illumination, stains
    and lid shadow are one multiplicative field computed at 1/4 resolution.
    """
    rec = {"skew_deg": 0.0, "rotation": 0}
    if p["level"] == "none":
        return img, rec
    nrng = np.random.default_rng(rng.randrange(1 << 32))
    h, w = img.shape[:2]
    out = img
    copy_skew = 0.0
    for _ in range(p.get("copies", 0)):
        out, ang = photocopy(out, rng, nrng)
        copy_skew += ang
    if p.get("copies"):
        rec["copies"] = p["copies"]
    if p["fade"]:  # faded toner: ink lighter, paper unchanged
        out = cv2.convertScaleAbs(out, alpha=1 - p["fade"], beta=255 * p["fade"])
    # multiplicative paper field at low resolution
    sh, sw = h // 4, w // 4
    field = np.ones((sh, sw, 3), np.float32)
    if p["yellow"] or p["illum"]:
        tint = np.array([1.0, 1.0 - p["yellow"] * 0.5, 1.0 - p["yellow"] * 1.6], np.float32)
        lf = 1.0 - p["illum"] * (0.5 + 0.5 * _lowfreq(nrng, sh, sw))
        field *= tint[None, None, :] * lf[..., None]
    for _ in range(p["stains"]):  # coffee rings / water stains
        m = np.zeros((sh, sw), np.float32)
        cx, cy = rng.randint(0, sw), rng.randint(0, sh)
        r = rng.randint(sw // 10, sw // 4)
        cv2.ellipse(m, (cx, cy), (r, int(r * rng.uniform(0.8, 1.2))), rng.uniform(0, 180), 0, 360, 1.0, max(2, r // 8))
        if rng.random() < 0.5:
            cv2.circle(m, (cx, cy), r, 0.35, -1)
        m = cv2.GaussianBlur(m, (0, 0), max(1.0, r / 12)) * rng.uniform(0.25, 0.5)
        brown = np.array([0.15, 0.35, 0.6], np.float32)
        field *= 1 - m[..., None] * brown[None, None, :]
    if p["shadow"]:  # scanner lid shadow on one edge
        n = max(2, sw // 30)
        ramp = (np.linspace(1 - p["shadow"], 1, n, dtype=np.float32) ** 0.5)
        if rng.random() < 0.5:
            field[:, :n] *= ramp[None, :, None]
        else:
            field[:, sw - n:] *= ramp[::-1][None, :, None]
    if not np.all(field == 1.0):
        f8 = cv2.resize(np.clip(field * 255, 0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
        out = cv2.multiply(out, f8, scale=1 / 255.0)
    if p["punch"]:  # binder punch holes at the left margin
        out = out.copy() if out is img else out
        for fy in (0.35, 0.65):
            cv2.circle(out, (int(w * 0.04), int(h * fy)), int(w * 0.012), (60, 60, 60), -1, cv2.LINE_AA)
    if p["skew"]:
        ang = p["skew"] * rng.uniform(0.7, 1.0)
        M = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
        border = tuple(int(v) for v in out[5, w // 2])
        out = cv2.warpAffine(out, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)
        rec["skew_deg"] = round(ang + copy_skew, 3)
    elif copy_skew:
        rec["skew_deg"] = round(copy_skew, 3)
    if p["blur"]:
        out = cv2.GaussianBlur(out, (0, 0), p["blur"])
    if p["noise"]:  # luminance noise, saturating uint8 adds
        n = nrng.standard_normal((h, w), dtype=np.float32) * p["noise"]
        pos = np.clip(n, 0, 255).astype(np.uint8)
        neg = np.clip(-n, 0, 255).astype(np.uint8)
        out = cv2.subtract(cv2.add(out, cv2.merge([pos, pos, pos])), cv2.merge([neg, neg, neg]))
    if p["lines"]:  # scanner streaks
        out = out.copy() if out is img else out
        for _ in range(p["lines"]):
            x = rng.randint(0, w - 4)
            dv = rng.choice([-70, -40, 35])
            sl = out[:, x:x + rng.randint(1, 3)]
            sl[...] = np.clip(sl.astype(np.int16) + dv, 0, 255).astype(np.uint8)
    if p["saltpepper"]:
        out = out.copy() if out is img else out
        k = int(h * w * p["saltpepper"])
        ys = nrng.integers(0, h, k)
        xs = nrng.integers(0, w, k)
        out[ys, xs] = np.where(nrng.random(k) < 0.5, 0, 255)[:, None].astype(np.uint8)
    if p["jpeg"]:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(p["jpeg"])])
        decoded = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
        if decoded is None:
            raise RuntimeError("JPEG round trip of a page failed")
        out = decoded
    rot = p["rot90"] and rng.random() < (p["rot90"] if page_no > 1 else p["rot90"] / 2)
    if rot:
        k = rng.choice([1, 2, 3])
        out = np.ascontiguousarray(np.rot90(out, k))
        rec["rotation"] = 90 * k  # counter-clockwise degrees
    return out, rec
