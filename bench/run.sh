#!/usr/bin/env bash
# Benchmarks, each printed beside its baseline measured in the same run: starts PostgreSQL and RabbitMQ like the
# tests do, then runs bench/Relief.Benchmarks (argument: events per run, default 3000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-prerequisites.sh" --local
. "$root/scripts/test-servers.sh"
dotnet run -c Release --project "$root/bench/Relief.Benchmarks" -- "$@"
