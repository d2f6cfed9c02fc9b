# Sourced by run-postgres.sh and run-rabbitmq.sh: keeps one server process running until the script is told to stop.
#
# A server that dies on its own (a crash, kill -9, the OOM killer) is started again on the same data folder and the
# same ports after a short pause, so services reconnect to the same address without a restart. SIGTERM or SIGINT to
# the script (Ctrl+C, Aspire stopping the resource) stops the server with the signal it understands and ends the
# script. The server's process id is kept in "$pid_file" for ops and fault tests.
#
# The sourcing script defines start_server (starts the server in the background) and sets stop_signal and pid_file.
server=
stopping=
stop() {
    stopping=1
    if [ -n "$server" ]; then kill "-$stop_signal" "$server" 2> /dev/null || true; fi
}
trap stop TERM INT

supervise() {
    local restarts=0 started
    while [ -z "$stopping" ]; do
        started=$SECONDS
        start_server
        server=$!
        echo "$server" > "$pid_file"
        # A trapped signal interrupts `wait`; keep waiting until the server has really gone.
        while kill -0 "$server" 2> /dev/null; do wait "$server" || true; done
        server=
        rm -f "$pid_file"
        [ -n "$stopping" ] && break
        # A server that keeps dying at once (a port taken, leftovers of the crashed one still exiting) backs off.
        if [ $((SECONDS - started)) -lt 10 ]; then restarts=$((restarts + 1)); else restarts=0; fi
        local pause=$((restarts < 5 ? 1 : 5))
        echo "$(date -Is) $server_name exited unexpectedly; starting it again in ${pause}s" >&2
        sleep "$pause" & wait $! || true
    done
}
