"""sohoa: paper judgment-execution records in, signed reconciled archive out.

The distribution's one top-level name. Its subpackages live in the source
tree's top-level folders (core/, pipeline/, archive/, ...; see
pyproject.toml's package-dir and docs/architecture.md); the sohoa/ folder
itself is the composition root: CLI, runtime building, Celery app, servers.
"""
from sohoa.core.version import SOFTWARE, __version__

__all__ = ["SOFTWARE", "__version__"]
