#!/usr/bin/env bash
# rollback-db's extra test tools: alembic (with SQLAlchemy and psycopg2) for MigrationDowngradeIT, and pgbench
# for the DbRestoreBenchmark. Idempotent; run as root by scripts/test-env.sh with the state directory as $1.
# Prints key=value lines on stdout (appended to env.properties) and human lines on stderr.
set -euo pipefail
STATE=${1:-/var/lib/rollback-test}
say() { echo "50-db: $*" >&2; }

missing=()
[ -x /usr/bin/alembic ] || missing+=(alembic)
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || missing+=(python3-psycopg2)
/usr/bin/python3 -c 'import sqlalchemy' 2>/dev/null || missing+=(python3-sqlalchemy)
command -v pgbench >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/pgbench ] || missing+=(postgresql-contrib)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  # a machine whose package lists were never fetched needs one update first
  { install || { apt-get update -q && install; }; } >"$STATE/50-db-apt.log" 2>&1 \
    || { say "apt-get install failed; see $STATE/50-db-apt.log"; exit 1; }
fi
alembic_version=$(/usr/bin/alembic --version 2>/dev/null | awk '{print $NF}')
pgbench_bin=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)
say "alembic $alembic_version at /usr/bin/alembic; pgbench at $pgbench_bin"
echo "alembic.binary=/usr/bin/alembic"
echo "alembic.version=$alembic_version"
echo "pgbench.binary=$pgbench_bin"
