#!/usr/bin/env bash
# A PostgreSQL server for Relief (Infrastructure:Mode=local), kept running: see supervise.sh.
# Aspire passes PGPORT (its allocated endpoint), POSTGRES_PASSWORD and RELIEF_POSTGRES_DATA, the folder that holds the
# cluster: created on the first start, reused by every later one (the AppHost's data folder, or a throwaway folder of
# the tests). The folder's parent must be reachable by the postgres user when this runs as root.
set -euo pipefail
: "${PGPORT:?}" "${POSTGRES_PASSWORD:?}" "${RELIEF_POSTGRES_DATA:?}"
bin=${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
data=$RELIEF_POSTGRES_DATA
server_name=postgres
pid_file=$data/server.pid
# SIGINT is postgres's fast shutdown (SIGTERM, "smart", would wait for every client to leave).
stop_signal=INT
. "$(dirname "$0")/supervise.sh"

# postgres refuses to run as root: the folder belongs to the postgres user, and the server drops to it.
as_postgres=()
mkdir -p "$data"
chmod 700 "$data"
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$data"
    as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi

if [ ! -s "$data/db/PG_VERSION" ]; then
    rm -rf "$data/db"
    pwfile=$(mktemp)
    trap 'rm -f "$pwfile"' EXIT
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    [ ${#as_postgres[@]} -eq 0 ] || chown postgres "$pwfile"
    "${as_postgres[@]}" "$bin/initdb" -D "$data/db" -U postgres --pwfile="$pwfile" \
        --auth=scram-sha-256 -E UTF8 --no-locale --no-instructions > /dev/null
    rm -f "$pwfile"
fi

# Two stacks on one data folder would corrupt it; postgres itself refuses too, but this says why.
if [ -s "$data/db/postmaster.pid" ]; then
    running=$(head -n 1 "$data/db/postmaster.pid")
    if kill -0 "$running" 2> /dev/null && grep -qx postgres "/proc/$running/comm" 2> /dev/null; then
        echo "PostgreSQL (pid $running) already runs on $data: is another Relief stack using this data folder?" >&2
        exit 1
    fi
fi

# pg_stat_statements counts every statement's calls and time, the services' and their triggers' alike (README,
# Operations: which statements a case costs).
start_server() {
    "${as_postgres[@]}" "$bin/postgres" -D "$data/db" -p "$PGPORT" -k "$data" \
        -c listen_addresses=127.0.0.1 -c max_connections=300 \
        -c max_wal_size=2GB -c checkpoint_timeout=15min \
        -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all &
}
supervise
