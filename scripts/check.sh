#!/usr/bin/env bash
# The static gates `make test` runs first: ruff (lint) and mypy (types).
# mypy reads the installed layout (sohoa.core, sohoa.pipeline, ...) through a
# view of symlinks, since the source folders keep the design's layout.
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin
$V/ruff check .
view=build/typeview/sohoa
rm -rf build/typeview && mkdir -p "$view"
for f in sohoa/*.py; do ln -s "$PWD/$f" "$view/$(basename "$f")"; done
for pkg in core pipeline archive reconciler retention corpus api ui handover; do ln -s "$PWD/$pkg" "$view/$pkg"; done
MYPYPATH=build/typeview $V/mypy -p sohoa
