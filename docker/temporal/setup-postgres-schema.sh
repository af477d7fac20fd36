#!/bin/sh
# Creates the `temporal` and `temporal_visibility` databases if missing, then brings both schemas to
# the version of the schema files given. Run by the `temporal-schema` service (temporalio/admin-tools)
# of docker-compose.temporal.yml, and natively by scripts/self-hosted-temporal.sh, so nothing here
# assumes the image: the schema folder, the tool and the database address are all overridable, and
# the wait for PostgreSQL uses the tool itself (no `nc`). Idempotent: setup-schema -v 0.0 is skipped
# on a database that already has a newer version, and update-schema applies only the missing steps.
set -eu

DB_HOST="${POSTGRES_SEEDS:-postgresql}"
DB_PORT="${DB_PORT:-5432}"
DB_USER="${POSTGRES_USER:-temporal}"
export SQL_PASSWORD="${SQL_PASSWORD:-${POSTGRES_PWD:-}}"
# The admin-tools image keeps the server's schema files here; a native install points at the
# server module's `schema/postgresql/v12` (scripts/self-hosted-temporal.sh does).
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
SQL_TOOL="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
WAIT_SECONDS="${DB_WAIT_SECONDS:-120}"

for dir in temporal visibility; do
  if [ ! -d "$SCHEMA_DIR/$dir/versioned" ]; then
    echo "No schema at $SCHEMA_DIR/$dir/versioned: set SCHEMA_DIR to the server's schema/postgresql/v12 folder" >&2
    exit 2
  fi
done
command -v "$SQL_TOOL" >/dev/null 2>&1 || {
  echo "$SQL_TOOL not found: set TEMPORAL_SQL_TOOL to the temporal-sql-tool binary" >&2
  exit 2
}

sql_tool() {
  "$SQL_TOOL" --plugin postgres12 --ep "$DB_HOST" -p "$DB_PORT" -u "$DB_USER" "$@"
}

# PostgreSQL may still be starting: the first database step is retried until it answers. `create`
# fails on an existing database too, so success is judged by setup-schema, which needs a connection.
prepare() {
  db="$1"
  sql_tool --db "$db" create >/dev/null 2>&1 || true
  sql_tool --db "$db" setup-schema -v 0.0
}

for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  dir="${pair#*:}"
  echo "== database $db ($DB_HOST:$DB_PORT)"
  waited=0
  until out="$(prepare "$db" 2>&1)"; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
      printf '%s\n' "$out" >&2
      echo "PostgreSQL at $DB_HOST:$DB_PORT did not accept the schema setup within ${WAIT_SECONDS}s" >&2
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
  sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$dir/versioned"
done

echo "PostgreSQL schemas are up to date"
