#!/usr/bin/env bash
# A throwaway PostgreSQL server for one AppHost run (Infrastructure:Mode=local).
# Aspire passes PGPORT (its allocated endpoint) and POSTGRES_PASSWORD. The data lives in a fresh folder
# under /tmp, which the postgres user can reach (root's home it could not), and is removed on the way out.
set -euo pipefail
: "${PGPORT:?}" "${POSTGRES_PASSWORD:?}"
bin=${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}

. "$(dirname "$0")/run-folder.sh"
data=$(new_run_folder relief-postgres)
trap 'rm -rf "$data"' EXIT

# SIGINT is postgres's fast shutdown (SIGTERM, "smart", would wait for every client to leave). A signal that
# arrives before the server is up just ends the script.
server=
stop() { if [ -n "$server" ]; then kill -INT "$server" 2>/dev/null || true; else exit 143; fi; }
trap stop TERM INT

(umask 077 && printf '%s\n' "$POSTGRES_PASSWORD" > "$data/pwfile")

# postgres refuses to run as root: hand the folder over and drop to the postgres user.
as_postgres=()
if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$data"
    as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi

"${as_postgres[@]}" "$bin/initdb" -D "$data/db" -U postgres --pwfile="$data/pwfile" \
    --auth=scram-sha-256 -E UTF8 --no-locale --no-sync --no-instructions > /dev/null
rm -f "$data/pwfile"

"${as_postgres[@]}" "$bin/postgres" -D "$data/db" -p "$PGPORT" -k "$data" \
    -c listen_addresses=127.0.0.1 -c max_connections=300 &
server=$!

# A trapped signal interrupts `wait`; keep waiting until the server has really gone.
while kill -0 "$server" 2>/dev/null; do wait "$server" || true; done
