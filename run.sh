#!/usr/bin/env bash
# Starts the whole Relief stack: PostgreSQL, RabbitMQ, the identity authority, the four services and the Aspire
# dashboard. Installs what is missing first. Ctrl+C stops everything it started.
# Its state (secrets, and in local mode the databases and the broker) lives in the data folder and survives restarts;
# ./run.sh --reset deletes that folder first and starts clean. Other arguments go to the AppHost
# (e.g. --Infrastructure:Mode=local, --Infrastructure:DataFolder=/srv/relief).
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/scripts/install-prerequisites.sh"

reset=
args=()
for argument in "$@"; do
    if [ "$argument" = --reset ]; then reset=1; else args+=("$argument"); fi
done
. "$root/scripts/data-folder.sh" "${args[@]}"
if [ -n "$reset" ]; then
    for pid_file in "$data_folder/postgres/server.pid" "$data_folder/rabbitmq/server.pid"; do
        if [ -r "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2> /dev/null; then
            echo "A stack is still running on $data_folder; stop it (Ctrl+C) before --reset." >&2
            exit 1
        fi
    done
    echo "Deleting $data_folder: every office, user, case and generated secret of this stack."
    rm -rf "$data_folder"
fi

exec dotnet run --project "$root/AppHost" --launch-profile http "${args[@]}"
