"""The hand-over package's typed errors: each names the selection, directory or file."""
from __future__ import annotations

from sohoa.core.errors import FatalError


class ExportError(FatalError):
    """An export cannot be made (nothing selected, a target that is not an empty directory, a stored
    object that does not match the catalogue)."""


class EmptySelection(ExportError):
    """The selection holds no document."""


class TargetRefused(ExportError):
    """-o names something the export must not write into."""
