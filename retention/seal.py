"""Seals for the retention jobs (audit checkpoints, backup manifests): the sealing core
lives in ``pipeline/sign/seal.py`` (floor 2, so that the servers may seal verification
records too); this module keeps retention's API."""
from __future__ import annotations

from sohoa.pipeline.sign.seal import DIGEST, SealCheck, SealKey, check_seal, seal, seal_roots

__all__ = ["DIGEST", "SealCheck", "SealKey", "check_seal", "seal", "seal_roots"]
