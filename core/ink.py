"""A coarse dark-pixel ("ink") mask of a page, for placing the visible marker.

The OCR stage makes it from page 1's pixels it already holds, so that the
signing stage does not decode the scan again (a full JPEG decode costs as much
as the rest of preparing the PDF); the signing stage falls back to decoding
when no mask was handed over (pipeline/sign/stamp.py).
"""
from __future__ import annotations

from typing import Any

MASK_WIDTH = 400  # columns: ~5 pt per cell on A4, finer than the marker's margins
DARK_BELOW = 128


def ink_mask(pixels: Any) -> Any:
    """Rows top to bottom, columns left to right, True where the page is dark.
    pixels: a 2-D grayscale or 3-D RGB numpy array, or a PIL image."""
    import cv2
    import numpy as np

    a = np.asarray(pixels)
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    if a.ndim == 3:
        a = cv2.cvtColor(a[..., :3], cv2.COLOR_RGB2GRAY)
    h, w = a.shape
    if w > MASK_WIDTH:
        a = cv2.resize(a, (MASK_WIDTH, max(int(MASK_WIDTH * h / w), 1)), interpolation=cv2.INTER_AREA)
    return a < DARK_BELOW
