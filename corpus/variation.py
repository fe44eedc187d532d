"""How widely a corpus varies: `default` (the corpus the extractor was tuned on, unchanged
seed for seed) or `wide` (other fonts, rare and minority names, post-2025 courts, marks over
numbers and dates, margin notes, photocopies of photocopies, drifting headers).

`generate_batch` sets the variation for the time it runs (`use`); the modules below ask
`is_wide()`. Every wide-only choice draws its random numbers only when the variation is
wide, so a default corpus draws exactly the numbers it drew before the knob existed.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

VARIATIONS = ("default", "wide")

_current: ContextVar[str] = ContextVar("sohoa_corpus_variation", default="default")


def is_wide() -> bool:
    return _current.get() == "wide"


@contextmanager
def use(variation: str) -> Iterator[None]:
    if variation not in VARIATIONS:
        raise ValueError(f"variation must be one of {VARIATIONS}, not {variation!r}")
    token = _current.set(variation)
    try:
        yield
    finally:
        _current.reset(token)
