"""Typed errors. Each says what went wrong and with which file.

`RejectedInput` marks one document as rejected and the batch goes on;
`FatalError` stops the whole run (no store, no key, no batch directory).
"""
from __future__ import annotations


class SohoaError(Exception):
    """Base of every error raised by sohoa."""


class RejectedInput(SohoaError):
    """A file in a batch that cannot be processed; the batch goes on."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class FatalError(SohoaError):
    """The run cannot go on at all; the CLI prints it on one line and exits non-zero."""


class ConfigError(FatalError):
    pass


class StoreError(FatalError):
    """The object store is unreachable or refused an operation."""


class IntegrityError(SohoaError):
    """Stored bytes no longer match their recorded hash."""


class SigningError(FatalError):
    """No usable signing key, or the signer failed."""
