#!/usr/bin/env bash
# Starts the whole Relief stack: PostgreSQL, RabbitMQ, the four services and the Aspire dashboard.
# Installs what is missing first. Ctrl+C stops everything it started.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
"$root/scripts/install-prerequisites.sh"
exec dotnet run --project "$root/AppHost" --launch-profile http "$@"
