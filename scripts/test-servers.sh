# Sourced by tests/run.sh and bench/run.sh: starts a PostgreSQL and a RabbitMQ (with its management API) for this
# run on free loopback ports, with their data in a throwaway folder, exports RELIEF_TEST_POSTGRES, RELIEF_TEST_RABBITMQ
# and RELIEF_TEST_RABBITMQ_MANAGEMENT, and stops both (removing their data) when the sourcing script exits. Needs $root.
scripts=$root/AppHost/Infrastructure/scripts

work=$(mktemp -d /tmp/relief-tests.XXXXXX)
# The postgres user must be able to pass through to its own data folder inside.
chmod 711 "$work"
pids=()
stop_servers() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
    rm -rf "$work"
}
trap stop_servers EXIT

in_use() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 20000))
        in_use "$port" || { echo "$port"; return; }
    done
}
password() { tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 24 || true; }
wait_for_port() { # name port seconds
    for _ in $(seq 1 $(($3 * 10))); do in_use "$2" && return 0; sleep 0.1; done
    echo "$1 did not open port $2 within $3 s; its log:" >&2
    cat "$work/$1.log" >&2
    exit 1
}

pg_port=$(free_port)
pg_password=$(password)
PGPORT=$pg_port POSTGRES_PASSWORD=$pg_password RELIEF_POSTGRES_DATA=$work/postgres bash "$scripts/run-postgres.sh" > "$work/postgres.log" 2>&1 &
pids+=($!)

epmd_port=$(free_port)
epmd -address 127.0.0.1 -port "$epmd_port" > "$work/epmd.log" 2>&1 &
pids+=($!)
amqp_port=$(free_port)
dist_port=$(free_port)
management_port=$(free_port)
rabbit_user=relief
rabbit_password=$(password)
wait_for_port epmd "$epmd_port" 10
RABBITMQ_NODE_PORT=$amqp_port RABBITMQ_DIST_PORT=$dist_port ERL_EPMD_PORT=$epmd_port \
RABBITMQ_DEFAULT_USER=$rabbit_user RABBITMQ_DEFAULT_PASS=$rabbit_password RABBITMQ_MANAGEMENT_PORT=$management_port \
RELIEF_RABBITMQ_DATA=$work/rabbitmq \
    bash "$scripts/run-rabbitmq.sh" > "$work/rabbitmq.log" 2>&1 &
pids+=($!)

wait_for_port postgres "$pg_port" 60
wait_for_port rabbitmq "$amqp_port" 120
wait_for_port rabbitmq "$management_port" 60

export RELIEF_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$pg_password"
export RELIEF_TEST_RABBITMQ="amqp://$rabbit_user:$rabbit_password@127.0.0.1:$amqp_port"
export RELIEF_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$management_port"
