#!/usr/bin/env bash
# Opens psql on a database of the running local stack: scripts/psql.sh intakedb [psql arguments …]
# (identitydb, intakedb, registrydb, referraldb, notificationdb, reportingdb, familysearchdb; default postgres). Reads the port this run and the
# generated password from the data folder (see README, Operations).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/data-folder.sh"
database=${1:-postgres}
[ $# -gt 0 ] && shift
pid_file=$data_folder/postgres/db/postmaster.pid
if [ ! -r "$pid_file" ]; then
    echo "PostgreSQL is not running on $data_folder: start the stack with ./run.sh first." >&2
    exit 1
fi
port=$(sed -n 4p "$pid_file")
password=$(grep -o '"postgres-password": *"[^"]*"' "$data_folder/secrets.json" | cut -d'"' -f4)
PGPASSWORD=$password exec psql -h 127.0.0.1 -p "$port" -U postgres -d "$database" "$@"
