#!/bin/sh
# Run by the `temporal-schema` service (temporalio/admin-tools) of docker-compose.temporal.yml:
# creates the `temporal` and `temporal_visibility` databases if missing, then brings both schemas
# to the version this image ships. Idempotent: setup-schema -v 0.0 is skipped on a database that
# already has a newer version, and update-schema applies only the missing steps.
set -eu

DB_HOST="${POSTGRES_SEEDS:-postgresql}"
DB_PORT="${DB_PORT:-5432}"
DB_USER="${POSTGRES_USER:-temporal}"
export SQL_PASSWORD="${SQL_PASSWORD:-${POSTGRES_PWD:-}}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$DB_HOST" -p "$DB_PORT" -u "$DB_USER" "$@"
}

echo "Waiting for PostgreSQL at $DB_HOST:$DB_PORT..."
tries=0
until nc -z -w 5 "$DB_HOST" "$DB_PORT"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "PostgreSQL at $DB_HOST:$DB_PORT did not open its port" >&2
    exit 1
  fi
  sleep 2
done

for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  dir="${pair#*:}"
  echo "== database $db"
  # `create` fails on an existing database with some drivers; a real problem (auth, network)
  # makes setup-schema below fail anyway, so it is not fatal here.
  sql_tool --db "$db" create || echo "database $db not created (it probably exists already); continuing"
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$dir/versioned"
done

echo "PostgreSQL schemas are up to date"
