#!/usr/bin/env bash
# A RabbitMQ node for Relief (Infrastructure:Mode=local), kept running: see supervise.sh.
# Aspire (or scripts/test-servers.sh) passes RABBITMQ_NODE_PORT (AMQP), RABBITMQ_DIST_PORT (Erlang distribution),
# ERL_EPMD_PORT (the epmd resource it started first), RABBITMQ_DEFAULT_USER/RABBITMQ_DEFAULT_PASS, optionally
# RABBITMQ_MANAGEMENT_PORT, and RELIEF_RABBITMQ_DATA: the folder that holds everything the node writes — its
# database of queues and persistent messages survives restarts. Nothing from /etc/rabbitmq or /var/lib/rabbitmq is used.
set -euo pipefail
: "${RABBITMQ_NODE_PORT:?}" "${RABBITMQ_DIST_PORT:?}" "${ERL_EPMD_PORT:?}" "${RELIEF_RABBITMQ_DATA:?}"
: "${RABBITMQ_DEFAULT_USER:?}" "${RABBITMQ_DEFAULT_PASS:?}"
# The Debian /usr/sbin/rabbitmq-server wrapper switches to the rabbitmq user; the real script does not.
rabbitmq_server=${RABBITMQ_SERVER:-$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server | sort -V | tail -n 1)}
data=$RELIEF_RABBITMQ_DATA
server_name=rabbitmq
pid_file=$data/server.pid
# beam stops the node cleanly on SIGTERM.
stop_signal=TERM
. "$(dirname "$0")/supervise.sh"

mkdir -p "$data"
chmod 700 "$data"
if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2> /dev/null && grep -qx beam.smp "/proc/$(cat "$pid_file")/comm" 2> /dev/null; then
    echo "RabbitMQ (pid $(cat "$pid_file")) already runs on $data: is another Relief stack using this data folder?" >&2
    exit 1
fi
export HOME=$data
if [ ! -s "$HOME/.erlang.cookie" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$HOME/.erlang.cookie")
fi
chmod 400 "$HOME/.erlang.cookie"

# Written at every start: ports change between runs. The default user is created only on the first start, with
# the password the AppHost keeps in its secrets. rabbitmq.conf takes a value verbatim to the end of the line: fine
# for generated passwords (see LocalResources.cs).
(umask 077 && cat > "$data/rabbitmq.conf" <<CONF
default_user = $RABBITMQ_DEFAULT_USER
default_pass = $RABBITMQ_DEFAULT_PASS
CONF
)
# The management plugin (HTTP API and UI) only when a port is given for it.
if [ -n "${RABBITMQ_MANAGEMENT_PORT:-}" ]; then
    printf 'management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n' "$RABBITMQ_MANAGEMENT_PORT" >> "$data/rabbitmq.conf"
    echo '[rabbitmq_management].' > "$data/enabled_plugins"
else
    echo '[].' > "$data/enabled_plugins"
fi
# Where ops tools find the node this run (Aspire picks new ports each start).
printf 'amqp=%s\nmanagement=%s\n' "$RABBITMQ_NODE_PORT" "${RABBITMQ_MANAGEMENT_PORT:-}" > "$data/ports"

export RABBITMQ_NODENAME=rabbit@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_CONFIG_FILE=$data/rabbitmq.conf
export RABBITMQ_ADVANCED_CONFIG_FILE=$data/advanced.config
export RABBITMQ_CONF_ENV_FILE=$data/rabbitmq-env.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$data/enabled_plugins
export RABBITMQ_MNESIA_BASE=$data/mnesia
export RABBITMQ_LOG_BASE=$data/log
export RABBITMQ_LOGS=-
# Makes rabbitmq-server exec the VM instead of babysitting it, so SIGTERM reaches beam directly.
export RUNNING_UNDER_SYSTEMD=true
# epmd is its own Aspire resource (else an epmd daemon would outlive the AppHost); stay on loopback.
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}"

start_server() { "$rabbitmq_server" & }
supervise
