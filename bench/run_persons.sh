#!/usr/bin/env bash
# Several persons per document on fresh generated corpora where 30 % of judgments
# have 2-4 defendants: bench/run_persons.sh [DOCS] [SEED] [LEVELS...]
# (default 40 documents, seed 7100, light and heavy). Output in bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
DOCS=${1:-40}; SEED=${2:-7100}; shift $(( $# > 2 ? 2 : $# )) || true
LEVELS=${*:-light heavy}
OUT=bench/out; mkdir -p "$OUT"
for level in $LEVELS; do
  dir=$(mktemp -d)
  "$PY" -m sohoa.cli sample "$dir/s" --docs "$DOCS" --seed "$SEED" --degradation "$level" --no-bad-files \
    --co-defendants 0.3 >/dev/null
  SOHOA_HOME="$dir/home" "$PY" -m sohoa.cli registry import "$dir/s/registry.jsonl" >/dev/null
  SOHOA_HOME="$dir/home" "$PY" -m sohoa.cli process -q "$dir/s/batch" --report "$dir/report.json"
  { echo "# persons, $level: $DOCS documents, seed $SEED, 30 % of judgments with 2-4 defendants"; echo;
    "$PY" bench/persons.py "$dir/report.json" "$dir/s/truth.jsonl"; } | tee "$OUT/persons-$level.txt"
  if [ -n "${KEEP:-}" ]; then echo "kept: $dir" >&2; else rm -rf "$dir"; fi
done
