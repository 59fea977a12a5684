#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on a Unix socket in a fresh folder and
# prints shell assignments: OB_PG_CONN=... OB_PG_DIR=...
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || { echo "start.sh: PostgreSQL server binaries not found" >&2; exit 1; }
DIR=$(mktemp -d /tmp/ob-pg.XXXXXX)
chmod 755 "$DIR"
PORT=$(( 20000 + RANDOM % 20000 ))
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
echo "OB_PG_CONN='postgresql:dbname=postgres user=postgres host=$DIR port=$PORT'"
echo "OB_PG_DIR='$DIR'"
