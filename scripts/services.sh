#!/usr/bin/env bash
# Starts the local services the tests and the production-like runs use, when
# they are not running already: PostgreSQL (5432), Redis (6379), RabbitMQ (5672).
# Installs a missing one from Debian's packages first.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { for _ in $(seq 1 60); do up "$1" && return 0; sleep 1; done; echo "services: $2 did not come up on port $1" >&2; return 1; }
need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }

want=${*:-postgresql redis rabbitmq}
rc=0
for svc in $want; do
  case "$svc" in
    postgresql)
      up 5432 && continue
      need pg_ctlcluster postgresql
      ver=$(ls /etc/postgresql | sort -V | tail -1)
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
      wait_for 5432 PostgreSQL || rc=1 ;;
    redis)
      up 6379 && continue
      need redis-server redis-server
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
      wait_for 6379 Redis || rc=1 ;;
    rabbitmq)
      up 5672 && continue
      need rabbitmq-server rabbitmq-server
      rabbitmq-server -detached
      wait_for 5672 RabbitMQ || rc=1 ;;
    *) echo "services: unknown service $svc" >&2; rc=2 ;;
  esac
done
exit $rc
