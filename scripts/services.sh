#!/usr/bin/env bash
# Starts the local services the tests and the production-like runs use, when
# they are not running already: PostgreSQL (5432), Redis (6379), RabbitMQ (5672);
# `postgresql-bin`: PostgreSQL's programs only, nothing started.
# Installs a missing one from Debian's packages first.
#
# PostgreSQL: nothing is assumed about its authentication (Debian's default asks a
# password on 127.0.0.1). As the `postgres` OS user (peer authentication on the
# local socket) the script makes a role `sohoa` (CREATEDB) with a generated
# password, kept in $SOHOA_HOME/postgresql.env (mode 600; made again when the
# file is gone), and its database `sohoa`. That file holds SOHOA_DB_URL and
# SOHOA_TEST_PG_URL (`set -a; . FILE; set +a`; `make services-env` prints it).
# SOHOA_PG_PORT picks another cluster's port. The tests do not need it: they
# make a PostgreSQL of their own (tests/pgcluster.py), from the installed binaries.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { for _ in $(seq 1 60); do up "$1" && return 0; sleep 1; done; echo "services: $2 did not come up on port $1" >&2; return 1; }
need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }

# As the cluster's owner: root through runuser, else sudo (or nothing for `postgres` itself).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"
  elif [ "$(id -un)" = postgres ]; then "$@"
  else sudo -n -u postgres "$@"; fi
}

# The role `sohoa` with a generated password, its database, and the env file naming them.
pg_role() {
  local port=$1 env_file=${SOHOA_PG_ENV_FILE:-${SOHOA_HOME:-$ROOT/sohoa-data}/postgresql.env} pw=""
  if [ -f "$env_file" ]; then
    pw=$(sed -n 's/^SOHOA_PG_PASSWORD=//p' "$env_file")
  fi
  [ -n "$pw" ] || pw=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  # the password through stdin, never on a command line
  as_postgres psql -X -q -p "$port" -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL || { echo "services: cannot set up the PostgreSQL role sohoa on port $port" >&2; return 1; }
SELECT 'CREATE ROLE sohoa LOGIN CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sohoa')\gexec
ALTER ROLE sohoa WITH LOGIN CREATEDB PASSWORD '$pw';
SELECT 'CREATE DATABASE sohoa OWNER sohoa' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sohoa')\gexec
ALTER DATABASE sohoa OWNER TO sohoa;
SQL
  mkdir -p "$(dirname "$env_file")"
  (umask 077
   printf 'SOHOA_PG_PASSWORD=%s\nSOHOA_DB_URL=postgresql+psycopg://sohoa:%s@127.0.0.1:%s/sohoa\nSOHOA_TEST_PG_URL=postgresql+psycopg://sohoa:%s@127.0.0.1:%s/postgres\n' \
     "$pw" "$pw" "$port" "$pw" "$port" > "$env_file.tmp" && mv "$env_file.tmp" "$env_file")
  chmod 600 "$env_file"
}

want=${*:-postgresql redis rabbitmq}
rc=0
for svc in $want; do
  case "$svc" in
    postgresql)
      port=${SOHOA_PG_PORT:-5432}
      if ! up "$port"; then
        need pg_ctlcluster postgresql
        ver=$(ls /etc/postgresql | sort -V | tail -1)
        pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
        wait_for "$port" PostgreSQL || { rc=1; continue; }
      fi
      pg_role "$port" || rc=1 ;;
    postgresql-bin)  # the server's programs only (the tests make their own cluster with them)
      ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || rc=1 ;;
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
