#!/usr/bin/env bash
# Start or stop N Celery workers for the production-like stack, in the
# background, with pid and log files under $SOHOA_HOME/run.
#   scripts/workers.sh start [N]   (default 2; one process per core each)
#   scripts/workers.sh stop
# The environment (SOHOA_DB_URL, SOHOA_BROKER_URL, SOHOA_STORE, SOHOA_S3_*, ...)
# is passed on to the workers as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
HOME_DIR=${SOHOA_HOME:-$PWD/sohoa-data}
RUN=$HOME_DIR/run
CELERY=${CELERY:-$( [ -x .venv/bin/celery ] && echo .venv/bin/celery || echo celery )}
mkdir -p "$RUN"
case "${1:-}" in
  start)
    : "${SOHOA_BROKER_URL:?set SOHOA_BROKER_URL (redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//)}"
    n=${2:-2}
    for i in $(seq 1 "$n"); do
      pidf=$RUN/worker$i.pid
      if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then continue; fi
      beat=""; [ "$i" = 1 ] && beat="-B --schedule $RUN/celerybeat-schedule"  # exactly one scheduler
      # sohoa.worker = the pipeline tasks plus the periodic integrity/backup jobs.
      "$CELERY" -A sohoa.worker worker $beat -n "sohoa$i@%h" -c 1 --loglevel=info \
        --pidfile "$pidf" --logfile "$RUN/worker$i.log" --detach
    done
    echo "workers: $n running, logs in $RUN" ;;
  stop)
    for pidf in "$RUN"/worker*.pid; do
      [ -f "$pidf" ] || continue
      kill -TERM "$(cat "$pidf")" 2>/dev/null || true
    done
    echo "workers: stopped" ;;
  *) echo "usage: $0 start [N] | stop" >&2; exit 2 ;;
esac
