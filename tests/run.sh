#!/usr/bin/env bash
# Runs every Relief test: unit, integration (real PostgreSQL and RabbitMQ, started here for this run) and
# end-to-end (the whole AppHost, which starts its own). Prints "N passed, N failed" last; exits non-zero on any
# failure. Extra arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-prerequisites.sh" --local

. "$root/scripts/test-servers.sh"

# The fault test (tests/Relief.EndToEndTests/FaultTests.cs) writes what it did and counted here.
fault_report=${TMPDIR:-/tmp}/relief-fault-test.txt
rm -f "$fault_report"

status=0
dotnet test "$root/Relief.sln" --nologo "$@" 2>&1 | tee "$work/test.log" || status=$?

if [ -s "$fault_report" ]; then
    echo
    cat "$fault_report"
    echo
fi

screenshots="$root/artifacts/screenshots"
if compgen -G "$screenshots/*.png" > /dev/null; then
    echo "Screenshots of the portal's pages: $screenshots"
fi

# Sum the per-project summaries ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12 ...").
passed=$(grep -oE 'Passed: +[0-9]+' "$work/test.log" | awk '{ s += $2 } END { print s + 0 }')
failed=$(grep -oE 'Failed: +[0-9]+' "$work/test.log" | awk '{ s += $2 } END { print s + 0 }')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1 # the build or a test host failed before reporting
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
