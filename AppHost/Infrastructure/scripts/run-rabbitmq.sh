#!/usr/bin/env bash
# A throwaway RabbitMQ node for one AppHost run (Infrastructure:Mode=local).
# Aspire (or tests/run.sh) passes RABBITMQ_NODE_PORT (AMQP), RABBITMQ_DIST_PORT (Erlang distribution), ERL_EPMD_PORT (the epmd
# resource it started first) and RABBITMQ_DEFAULT_USER/RABBITMQ_DEFAULT_PASS, and optionally RABBITMQ_MANAGEMENT_PORT. Everything the node writes lives in
# a fresh folder under /tmp, removed on the way out, so nothing from /etc/rabbitmq or /var/lib/rabbitmq is used.
set -euo pipefail
: "${RABBITMQ_NODE_PORT:?}" "${RABBITMQ_DIST_PORT:?}" "${ERL_EPMD_PORT:?}"
: "${RABBITMQ_DEFAULT_USER:?}" "${RABBITMQ_DEFAULT_PASS:?}"
# The Debian /usr/sbin/rabbitmq-server wrapper switches to the rabbitmq user; the real script does not.
server=${RABBITMQ_SERVER:-$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server | sort -V | tail -n 1)}

. "$(dirname "$0")/run-folder.sh"
data=$(new_run_folder relief-rabbitmq)
trap 'rm -rf "$data"' EXIT

# beam stops the node cleanly on SIGTERM. A signal that arrives before the node is started just ends the script.
node=
stop() { if [ -n "$node" ]; then kill -TERM "$node" 2>/dev/null || true; else exit 143; fi; }
trap stop TERM INT

export HOME=$data
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$HOME/.erlang.cookie"
chmod 400 "$HOME/.erlang.cookie"

# rabbitmq.conf takes a value verbatim to the end of the line: fine for generated passwords (see LocalResources.cs).
cat > "$data/rabbitmq.conf" <<CONF
default_user = $RABBITMQ_DEFAULT_USER
default_pass = $RABBITMQ_DEFAULT_PASS
CONF
# The management plugin (HTTP API and UI) only when a port is given for it.
if [ -n "${RABBITMQ_MANAGEMENT_PORT:-}" ]; then
    printf 'management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n' "$RABBITMQ_MANAGEMENT_PORT" >> "$data/rabbitmq.conf"
    echo '[rabbitmq_management].' > "$data/enabled_plugins"
else
    echo '[].' > "$data/enabled_plugins"
fi

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

"$server" &
node=$!

# A trapped signal interrupts `wait`; keep waiting until the node has really gone.
while kill -0 "$node" 2>/dev/null; do wait "$node" || true; done
