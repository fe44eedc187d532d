#!/usr/bin/env bash
# Record linkage at scale (issue 15): bench/run_linkage.sh [RECORDS] [QUERIES] [DBS]
# (default 1,000,000 records, 3000 documents, sqlite,postgresql). PostgreSQL at
# 127.0.0.1:5432 (scripts/services.sh postgresql; SOHOA_TEST_PG_URL to override):
# a database sohoa_bench_linkage_* is made and dropped. Output in bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
RECORDS=${1:-1000000}; QUERIES=${2:-3000}; DBS=${3:-sqlite,postgresql}
case "$DBS" in *postgresql*) scripts/services.sh postgresql ;; esac
OUT=bench/out; mkdir -p "$OUT"
nice -n 10 "$PY" bench/linkage.py --records "$RECORDS" --queries "$QUERIES" --db "$DBS" \
  --peer 10000 --peer-queries 50 | tee "$OUT/linkage-$RECORDS.txt"
