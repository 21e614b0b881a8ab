#!/bin/sh
# Creates (or upgrades) Temporal's two PostgreSQL databases. Run by the
# `temporal-schema` one-shot service in docker-compose.yml, inside the
# temporalio/admin-tools image, before the Temporal server starts.
#
# Idempotent: `create` ignores an existing database, `setup-schema -v 0.0`
# leaves a database that is already past 0.0 alone, and `update-schema` only
# applies the versioned steps that are missing. Re-running it after bumping the
# admin-tools/server images is how Temporal's schema gets upgraded.
#
# Environment: POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, SQL_PASSWORD,
# DBNAME (default temporal), VISIBILITY_DBNAME (default temporal_visibility).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
export SQL_PASSWORD

sqltool() {
	temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

# depends_on waits for pg_isready, but keep a short loop for `docker compose run`.
i=0
until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
	i=$((i + 1))
	if [ "$i" -ge 60 ]; then
		echo "setup-schema: PostgreSQL at $POSTGRES_SEEDS:$DB_PORT not reachable" >&2
		exit 1
	fi
	sleep 1
done

for pair in "$DBNAME:postgresql/v12/temporal" "$VISIBILITY_DBNAME:postgresql/v12/visibility"; do
	db="${pair%%:*}"
	schema="${pair#*:}"
	echo "setup-schema: $db ($schema)"
	sqltool --db "$db" create
	sqltool --db "$db" setup-schema -v 0.0
	# --schema-name uses the schema embedded in temporal-sql-tool, so it always
	# matches the tool's (and the pinned server's) version.
	sqltool --db "$db" update-schema --schema-name "$schema"
done
echo "setup-schema: done"
