#!/usr/bin/env bash
# Installs what Relief needs beyond the .NET SDK. Without a container runtime (no Docker daemon answering),
# PostgreSQL 15 and RabbitMQ run as local processes, so their Debian packages must be present. The tests (--local) also
# need Debian's Chromium, which the portal's browser tests drive, and a CJK font so its pages render Chinese.
# Usage: scripts/install-prerequisites.sh [--local]   (--local: install them even if Docker answers; the tests need them)
set -euo pipefail

need_local=${1:-}
missing=()
if [ "$need_local" = "--local" ]; then
    command -v chromium > /dev/null || missing+=(chromium)
    [ -d /usr/share/fonts/opentype/noto ] && compgen -G '/usr/share/fonts/opentype/noto/NotoSansCJK*' > /dev/null || missing+=(fonts-noto-cjk)
fi
if [ "$need_local" = "--local" ] || ! timeout 5 docker info > /dev/null 2>&1; then
    # Without Docker, Aspire runs PostgreSQL and RabbitMQ as local processes.
    [ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
    compgen -G '/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server' > /dev/null || missing+=(rabbitmq-server)
    command -v setpriv > /dev/null || missing+=(util-linux)
    command -v curl > /dev/null || missing+=(curl)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing ${missing[*]} (Debian packages) ..."
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# policy-rc.d keeps the packages from starting system-wide servers we do not use.
"${sudo[@]}" sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
"${sudo[@]}" rm -f /usr/sbin/policy-rc.d
