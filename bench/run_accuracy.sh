#!/usr/bin/env bash
# Accuracy of the whole pipeline on generated corpora never seen before:
#   bench/run_accuracy.sh [DOCS] [SEED] [LEVELS...]     (default 40 docs, seed 900, light and heavy)
# Each level: generate, import the registry, process, score against truth
# (per field, per document kind, threshold curve). Output in bench/out/.
# KEEP=1 keeps each level's corpus, data directory and report (path on stderr).
# VARIATION=wide generates the wide corpus (corpus/README.md: fonts, names, courts, marks, photocopies);
# the output files then end in -wide. Seed policy (corpus/README.md): a held-out score uses a seed
# >= 90000, once, recorded in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
DOCS=${1:-40}; SEED=${2:-900}; shift $(( $# > 2 ? 2 : $# )) || true
LEVELS=${*:-light heavy}
VARIATION=${VARIATION:-default}
SUFFIX=$( [ "$VARIATION" = default ] || echo "-$VARIATION" )
OUT=bench/out; mkdir -p "$OUT"
for level in $LEVELS; do
  dir=$(mktemp -d)
  "$PY" -m sohoa.cli sample "$dir/s" --docs "$DOCS" --seed "$SEED" --degradation "$level" --no-bad-files \
    --variation "$VARIATION" >/dev/null
  SOHOA_HOME="$dir/home" "$PY" -m sohoa.cli registry import "$dir/s/registry.jsonl" >/dev/null
  start=$(date +%s)
  SOHOA_HOME="$dir/home" "$PY" -m sohoa.cli process -q "$dir/s/batch" --report "$dir/report.json"
  secs=$(( $(date +%s) - start ))
  { echo "# $level: $DOCS documents, seed $SEED, variation $VARIATION, processed in ${secs}s"; echo;
    "$PY" bench/accuracy.py "$dir/report.json" "$dir/s/truth.jsonl"; } | tee "$OUT/accuracy-$level$SUFFIX.txt"
  if [ -n "${KEEP:-}" ]; then echo "kept: $dir" >&2; else rm -rf "$dir"; fi
done
