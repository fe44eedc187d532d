#!/usr/bin/env bash
# A local S3 server with object lock, for tests and demos: a single-node Ceph
# cluster (one monitor, one RAM-backed memstore OSD, RADOS Gateway) whose every
# file (config, mon data, logs, pid files, admin sockets) lives under DIR.
#
#   scripts/s3-test-server.sh start  [DIR]   boot (no-op when already serving), print env
#   scripts/s3-test-server.sh stop   [DIR]   kill the daemons, remove DIR
#   scripts/s3-test-server.sh status [DIR]   exit 0 when the S3 endpoint answers
#   scripts/s3-test-server.sh env    [DIR]   print the SOHOA_* lines only
#   scripts/s3-test-server.sh stop-gateway    [DIR] [NAME]         kill radosgw only (mon and OSD,
#   scripts/s3-test-server.sh start-gateway   [DIR] [NAME] [PORT]  which hold the objects, stay up)
#   scripts/s3-test-server.sh restart-gateway [DIR] [NAME] [PORT]
#
# The gateway subcommands act on gateway NAME (default a, the one `start` boots on
# $SOHOA_S3_TEST_PORT/7480). Another NAME is an extra gateway onto the same cluster
# (same user, buckets, objects) on its own PORT, e.g. `start-gateway DIR f1 7481`:
# a test can stop and start it without disturbing others using gateway a.
# DIR defaults to $SOHOA_S3_TEST_DIR or /tmp/sohoa-s3-test. `start` and `env`
# print KEY=VALUE lines on stdout (progress goes to stderr), e.g.
#   set -a; eval "$(scripts/s3-test-server.sh start)"; set +a
# If something already answers S3 on 127.0.0.1:7480 (an earlier run), it is
# reused. The OSD keeps objects in RAM: stopping it loses every object.
# Installs ceph-mon ceph-osd radosgw ceph-common from Debian when missing.
set -euo pipefail

CMD=${1:-}
DIR=${2:-${SOHOA_S3_TEST_DIR:-/tmp/sohoa-s3-test}}
HOST=127.0.0.1
MON_PORT=6789
RGW_PORT=${SOHOA_S3_TEST_PORT:-7480}
ACCESS_KEY=sohoa-test-access
SECRET_KEY=sohoa-test-secret-0123456789abcdef
UID_NAME=sohoa-test
BOOT_TIMEOUT=${SOHOA_S3_BOOT_TIMEOUT:-90}

log() { echo "s3-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

# DIR is removed by stop and by a fresh start: only ever a directory this
# script made (it holds our ceph.conf) or an empty/missing one.
MARK=.sohoa-s3-test-server
# Names this script and the test fixtures create in DIR: a directory holding
# nothing else is a leftover of ours (e.g. a run killed mid-boot), safe to wipe.
OUR_NAMES=" $MARK ceph.conf keyring monmap run log mon osd rgw .pytest-users started-by-pytest "
safe_to_remove() {
  [ -n "$DIR" ] && [ "$(cd "$DIR" 2>/dev/null && pwd || echo "$DIR")" != / ] || return 1
  [ ! -e "$DIR" ] && return 0
  [ -d "$DIR" ] || return 1
  [ -f "$DIR/$MARK" ] && return 0
  [ -f "$DIR/ceph.conf" ] && grep -q "^rgw frontends = beast" "$DIR/ceph.conf" && return 0
  local name
  while IFS= read -r name; do
    case "$OUR_NAMES" in *" $name "*|*" ${name%%-*} "*) ;; *) return 1 ;; esac
  done < <(ls -A "$DIR")
  return 0
}

print_env() {
  cat <<EOF
SOHOA_STORE=s3
SOHOA_S3_ENDPOINT=$HOST:$RGW_PORT
SOHOA_S3_ACCESS_KEY=$ACCESS_KEY
SOHOA_S3_SECRET_KEY=$SECRET_KEY
SOHOA_S3_SECURE=false
SOHOA_S3_REGION=us-east-1
EOF
}

# An S3 server answers an anonymous GET / with XML (ListAllMyBucketsResult or an error document).
s3_answers() {
  local body
  body=$(curl -s -m 2 "http://$HOST:$RGW_PORT/" 2>/dev/null) || return 1
  [[ $body == *"<?xml"* || $body == *"ListAllMyBucketsResult"* || $body == *"<Error>"* ]]
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

ensure_packages() {
  local need=() p
  for p in ceph-mon ceph-osd radosgw ceph-common curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  ((${#need[@]})) || return 0
  local SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing Debian packages: ${need[*]}"
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >"${TMPDIR:-/tmp}/s3-test-server-apt.log" 2>&1; then
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >"${TMPDIR:-/tmp}/s3-test-server-apt.log" 2>&1 \
      || die "apt-get install ${need[*]} failed (see ${TMPDIR:-/tmp}/s3-test-server-apt.log)"
  fi
}

CONF() { echo "$DIR/ceph.conf"; }
ceph_cli() { timeout 30 ceph -c "$(CONF)" --connect-timeout 10 "$@"; }

write_conf() {
  local fsid=$1
  cat >"$(CONF)" <<EOF
[global]
fsid = $fsid
mon host = $HOST:$MON_PORT
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms bind ipv6 = false
ms bind msgr2 = false
public addr = $HOST
run dir = $DIR/run
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
keyring = $DIR/keyring
chdir = $DIR
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
# propose map changes at once (default 1 s each): radosgw creates its pools faster
paxos propose interval = 0.1
osd crush chooseleaf type = 0
# The OSD would send crush commands to the monitor while it boots, and they can
# race its monmap ("wrong fsid", the OSD exits): place it in the crush map here.
osd crush update on start = false
osd class update on start = false
osd objectstore = memstore
memstore device bytes = 4294967296
osd data = $DIR/osd/\$cluster-\$id
mon data = $DIR/mon/\$cluster-\$id

[client.rgw.a]
rgw frontends = beast endpoint=$HOST:$RGW_PORT
rgw data = $DIR/rgw
rgw enable usage log = false
rgw thread pool size = 64
EOF
}

alive() {  # running, and not a zombie waiting to be reaped
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

kill_daemons() {
  local pidf pid pids=() n
  for pidf in "$DIR"/run/client.rgw.*.pid "$DIR"/run/osd.0.pid "$DIR"/run/mon.a.pid; do
    [ -f "$pidf" ] || continue
    pid=$(cat "$pidf" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || continue
    # only our daemons: the pid must still be a ceph process
    case "$(cat /proc/"$pid"/comm 2>/dev/null)" in ceph-mon|ceph-osd|radosgw|*rgw*|*ceph*) ;; *) continue ;; esac
    kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  ((${#pids[@]})) || return 0
  # memstore keeps nothing worth a slow shutdown (a TERMed OSD can linger for
  # seconds): give them a second, then KILL.
  for n in $(seq 10); do
    for pid in "${pids[@]}"; do alive "$pid" && break; pid=; done
    [ -z "$pid" ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || die "timed out after ${secs}s waiting for $what (logs: $DIR/log)"
    sleep 0.5
  done
}

osd_up_or_dead() {  # 0 when osd.0 is up, 1 when its process died; dies on timeout
  local end=$((SECONDS + $1)) pid
  while ((SECONDS < end)); do
    timeout 10 ceph -c "$(CONF)" osd dump 2>/dev/null | grep -q '^osd.0 up' && return 0
    pid=$(cat "$DIR/run/osd.0.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && ! alive "$pid"; then rm -f "$DIR/run/osd.0.pid"; return 1; fi
    sleep 0.5
  done
  die "timed out after $1s waiting for the OSD (logs: $DIR/log)"
}

rgw_up_or_dead() {  # 0 when S3 answers, 1 when radosgw died; dies on timeout
  local end=$((SECONDS + $1)) pid
  while ((SECONDS < end)); do
    s3_answers && return 0
    pid=$(cat "$DIR/run/client.rgw.a.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && ! alive "$pid"; then rm -f "$DIR/run/client.rgw.a.pid"; return 1; fi
    sleep 0.5
  done
  die "timed out after $1s waiting for radosgw to answer on $HOST:$RGW_PORT (logs: $DIR/log)"
}

ensure_user() {
  if ! timeout 30 radosgw-admin -c "$(CONF)" user info --uid="$UID_NAME" >/dev/null 2>&1; then
    timeout 30 radosgw-admin -c "$(CONF)" user create --uid="$UID_NAME" --display-name="sohoa tests" \
      --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null \
      || die "radosgw-admin user create failed (logs: $DIR/log)"
  fi
}

start() {
  if s3_answers; then
    log "S3 already answering on $HOST:$RGW_PORT; reusing it"
    [ -f "$(CONF)" ] && ensure_user
    print_env
    return 0
  fi
  ensure_packages
  command -v curl >/dev/null || die "curl is missing"
  # Nothing serves S3: whatever this DIR holds is a dead or half-booted cluster
  # (memstore kept no objects anyway). Start from scratch.
  safe_to_remove || die "$DIR is not a directory made by this script; refusing to wipe it"
  kill_daemons
  port_in_use "$MON_PORT" && die "port $MON_PORT is in use by something else (another Ceph monitor?)"
  port_in_use "$RGW_PORT" && die "port $RGW_PORT is in use but does not answer S3"
  rm -rf "$DIR"
  mkdir -p "$DIR"/{run,log,mon,osd/ceph-0,rgw}
  : >"$DIR/$MARK"
  DIR=$(cd "$DIR" && pwd)
  local t0=$SECONDS fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"
  : >"$DIR/keyring"

  log "monitor on $HOST:$MON_PORT"
  monmaptool --create --clobber --fsid "$fsid" --add a "$HOST:$MON_PORT" "$DIR/monmap" >/dev/null
  ceph-mon -c "$(CONF)" -i a --mkfs --monmap "$DIR/monmap" >>"$DIR/log/mkfs.log" 2>&1 \
    || die "ceph-mon --mkfs failed (logs: $DIR/log)"
  ceph-mon -c "$(CONF)" -i a 2>>"$DIR/log/daemons.stderr"
  wait_for 30 "the monitor" ceph_cli mon stat

  log "memstore OSD"
  local id osd_uuid
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph_cli osd create "$osd_uuid") || die "ceph osd create failed (logs: $DIR/log)"
  [ "$id" = 0 ] || die "expected osd id 0, got $id (is another cluster using $HOST:$MON_PORT?)"
  ceph-osd -c "$(CONF)" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$DIR/log/mkfs.log" 2>&1 \
    || die "ceph-osd --mkfs failed (logs: $DIR/log)"
  ceph_cli osd crush add osd.0 1.0 root=default host=localhost >/dev/null 2>&1 \
    || die "ceph osd crush add failed (logs: $DIR/log)"
  local try
  for try in 1 2 3; do
    ceph-osd -c "$(CONF)" -i 0 2>>"$DIR/log/daemons.stderr" || true
    if osd_up_or_dead 60; then break; fi
    ((try < 3)) || die "the OSD did not come up (logs: $DIR/log)"
    log "OSD exited while booting; starting it again"
  done

  log "radosgw on $HOST:$RGW_PORT"
  for try in 1 2 3; do
    radosgw -c "$(CONF)" -n client.rgw.a 2>>"$DIR/log/daemons.stderr" || true
    if rgw_up_or_dead "$BOOT_TIMEOUT"; then break; fi
    ((try < 3)) || die "radosgw did not come up (logs: $DIR/log)"
    log "radosgw exited while booting; starting it again"
  done
  ensure_user
  log "ready in $((SECONDS - t0))s (dir $DIR)"
  print_env
}

# -- one gateway at a time --------------------------------------------------------

GW_NAME=${3:-a}
GW_PORT=${4:-}
gw_port() {  # the port of gateway GW_NAME, from ceph.conf (a: $RGW_PORT)
  if [ "$GW_NAME" = a ]; then echo "$RGW_PORT"; return; fi
  if [ -n "$GW_PORT" ]; then echo "$GW_PORT"; return; fi
  awk -v sec="[client.rgw.$GW_NAME]" '$0 == sec {on=1; next} /^\[/ {on=0}
    on && /^rgw frontends/ {sub(/.*:/, ""); print; exit}' "$(CONF)"
}
gw_answers() {
  local body
  body=$(curl -s -m 2 "http://$HOST:$1/" 2>/dev/null) || return 1
  [[ $body == *"<?xml"* || $body == *"ListAllMyBucketsResult"* || $body == *"<Error>"* ]]
}

need_cluster() {
  [ -f "$(CONF)" ] || die "no cluster in $DIR (run: $0 start $DIR)"
  [[ $GW_NAME =~ ^[a-z0-9]+$ ]] || die "gateway name must be [a-z0-9]+, not $GW_NAME"
  DIR=$(cd "$DIR" && pwd)
}

gw_pid() {  # the running radosgw of gateway GW_NAME on this cluster: its pid file, else its command line
  local pid p
  pid=$(cat "$DIR/run/client.rgw.$GW_NAME.pid" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && [[ "$(cat /proc/"$pid"/comm 2>/dev/null)" == *rgw* ]]; then
    echo "$pid"; return 0
  fi
  local want
  want=$(printf 'radosgw\x01-c\x01%s\x01-n\x01client.rgw.%s\x01' "$(CONF)" "$GW_NAME")
  for p in /proc/[0-9]*; do
    [ "$( (tr '\0' '\001' <"$p/cmdline") 2>/dev/null)" = "$want" ] || continue
    alive "${p#/proc/}" && { echo "${p#/proc/}"; return 0; }
  done
  return 1
}

stop_gateway() {
  need_cluster
  local pidf="$DIR/run/client.rgw.$GW_NAME.pid" pid n
  pid=$(gw_pid || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for n in $(seq 20); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
    for n in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    log "gateway $GW_NAME stopped (pid $pid)"
  else
    log "gateway $GW_NAME not running"
  fi
  rm -f "$pidf"
}

start_gateway() {
  need_cluster
  local port try
  if [ "$GW_NAME" != a ] && ! grep -qF "[client.rgw.$GW_NAME]" "$(CONF)"; then
    [ -n "$GW_PORT" ] || die "a new gateway $GW_NAME needs a PORT"
    printf '\n[client.rgw.%s]\nrgw frontends = beast endpoint=%s:%s\nrgw data = %s/rgw-%s\nrgw enable usage log = false\nrgw thread pool size = 64\n' \
      "$GW_NAME" "$HOST" "$GW_PORT" "$DIR" "$GW_NAME" >>"$(CONF)"
    mkdir -p "$DIR/rgw-$GW_NAME"
  fi
  port=$(gw_port)
  [ -n "$port" ] || die "no port for gateway $GW_NAME in $(CONF)"
  if gw_answers "$port"; then log "gateway $GW_NAME already answering on $HOST:$port"; return 0; fi
  port_in_use "$port" && die "port $port is in use but does not answer S3"
  for try in 1 2 3; do
    radosgw -c "$(CONF)" -n "client.rgw.$GW_NAME" 2>>"$DIR/log/daemons.stderr" || true
    local end=$((SECONDS + BOOT_TIMEOUT)) pid
    while ((SECONDS < end)); do
      gw_answers "$port" && { log "gateway $GW_NAME answering on $HOST:$port"; return 0; }
      pid=$(cat "$DIR/run/client.rgw.$GW_NAME.pid" 2>/dev/null || true)
      if [ -n "$pid" ] && ! alive "$pid"; then rm -f "$DIR/run/client.rgw.$GW_NAME.pid"; break; fi
      sleep 0.3
    done
    log "gateway $GW_NAME did not come up (try $try)"
  done
  die "gateway $GW_NAME did not come up (logs: $DIR/log)"
}

stop() {
  if [ -d "$DIR" ]; then
    safe_to_remove || die "$DIR is not a directory made by this script; refusing to remove it"
    kill_daemons
    rm -rf "$DIR"
    log "stopped, removed $DIR"
  else
    log "nothing to stop in $DIR"
  fi
}

status() {
  local pidf pid
  for pidf in "$DIR"/run/mon.a.pid "$DIR"/run/osd.0.pid "$DIR"/run/client.rgw.a.pid; do
    [ -f "$pidf" ] || continue
    pid=$(cat "$pidf")
    if kill -0 "$pid" 2>/dev/null; then log "$(basename "$pidf" .pid): running (pid $pid)"
    else log "$(basename "$pidf" .pid): dead (pid $pid)"; fi
  done
  if s3_answers; then log "S3 answering on $HOST:$RGW_PORT"; return 0; fi
  log "S3 not answering on $HOST:$RGW_PORT"
  return 3
}

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  stop-gateway) stop_gateway ;;
  start-gateway) start_gateway ;;
  restart-gateway) stop_gateway; start_gateway ;;
  *) echo "usage: $0 start|stop|status|env [DIR] | stop-gateway|start-gateway|restart-gateway [DIR] [NAME] [PORT]" >&2; exit 2 ;;
esac
