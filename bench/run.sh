#!/usr/bin/env bash
# Benchmarks, each printed beside its baseline measured in the same run on the same machine (README, Performance).
#   bench/run.sh [pipeline [seconds]]   the whole stack as ./run.sh starts it (Release) beside the bare baseline endpoint
#   bench/run.sh intake [rounds]        issue 10: registering cases alone (consumers frozen) beside the bare baseline
#   bench/run.sh outbox [events]        the transactional outbox beside MassTransit publishing directly
#   bench/run.sh service-points          nearest open point and coverage over 10,000 points beside a scan and a count
#   bench/run.sh statistics [iterations [cases]]   the statistics page's queries over 1,000,000 cases in Reporting's read
#                                        model, p50/p99 per part beside the summary before its roll-ups, the same queries
#                                        without the read model's indexes and a count(*)
#   bench/run.sh desk-feed [seconds [cases/s]]   POST of a case needing referral → its item on the receiving station's
#                                        live feed (SSE), the whole stack at 100 cases/s beside the bare path of that shape
#   bench/run.sh matching                family search's matching evaluation (issue 13): 1,000 generated notices and reports
#                                        scored by the service's own scorer; pure computation, no servers, no ports
# Starts its own PostgreSQL and RabbitMQ for the baselines (like the tests); the pipeline's stack brings its own, on a
# throwaway data folder. Ports 5100-5105 must be free (no ./run.sh stack running). Results: bench/results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = matching ]; then
    # The evaluation is a unit test (it asserts the issue's thresholds): run it alone and show the figures it prints.
    exec dotnet test "$root/tests/Relief.UnitTests" -c Release --nologo \
        --filter "FullyQualifiedName~MatchingEvaluationTests.On_1000" --logger "console;verbosity=detailed"
fi
"$root/scripts/install-prerequisites.sh" --local
for port in 5100 5101 5102 5103 5104 5105; do
    if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
        echo "Port $port is in use: stop the running stack first." >&2
        exit 1
    fi
done
. "$root/scripts/test-servers.sh"
dotnet build "$root/Relief.sln" -c Release --nologo -v quiet
export RELIEF_ROOT=$root
dotnet "$root/bench/Relief.Benchmarks/bin/Release/net10.0/Relief.Benchmarks.dll" "$@"
