#!/usr/bin/env bash
# Ops commands for the running local stack (tools/Relief.Ops): scripts/ops.sh --help
#   outbox <service>                 events waiting to be published, and those set aside
#   outbox-requeue <service> [ids]   put set-aside events back in line once fixed
#   errors                           the _error queues and their depth
#   errors-replay <queue>_error      move failed messages back to their consumer, each taking effect once
#   demo-network                     load the demo network of service points into Registry (as admin)
#   reporting-rebuild                empty the statistics read model and replay the sources' history (as admin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec dotnet run --project "$root/tools/Relief.Ops" -- "$@"
