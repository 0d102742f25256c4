#!/usr/bin/env bash
# Private PostgreSQL and RabbitMQ servers on loopback, for tests and the embedded run.
# Source this file, then call: ensure_packages, pg_start DIR PORT, pg_stop DIR, rmq_start DIR PORT, rmq_stop.
# Servers are started as the `postgres` / `rabbitmq` OS users because both refuse to run as root.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

ensure_packages() {  # ensure_packages pg|rabbitmq|chromium ...
  local missing=()
  for want in "$@"; do
    case "$want" in
      pg) [ -x "$PG_BIN/initdb" ] || missing+=(postgresql) ;;
      rabbitmq) command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server) ;;
      chromium) [ -x /usr/bin/chromium ] || missing+=(chromium); [ -d /usr/share/fonts/truetype/wqy ] || missing+=(fonts-wqy-microhei) ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} ..."
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
}

as_user() { local u=$1; shift; if [ "$(id -u)" = 0 ]; then runuser -u "$u" -- "$@"; else "$@"; fi; }

pg_start() {  # pg_start DIR PORT
  local dir=$1 port=$2
  if [ "$(id -u)" = 0 ]; then
    install -d -o postgres -g postgres -m 700 "$dir/pg"; install -d -o postgres -g postgres "$dir/pgsock"
  else
    mkdir -p -m 700 "$dir/pg"; mkdir -p "$dir/pgsock"
  fi
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    as_user postgres "$PG_BIN/initdb" -D "$dir/pg" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/pgsock/initdb.log"
    cat >>"$dir/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/pgsock'
shared_buffers = 1GB
max_connections = 200
fsync = on
synchronous_commit = on
CONF
  fi
  if ! as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
    as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg" -l "$dir/pgsock/pg.log" -w -t 60 start >/dev/null
  fi
}

pg_stop() { as_user postgres "$PG_BIN/pg_ctl" -D "$1/pg" -m fast -w stop >/dev/null 2>&1 || true; }

rmq_env() {  # rmq_env DIR PORT
  export RABBITMQ_NODENAME=rabbit-es-$2@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$2 \
    RABBITMQ_DIST_PORT=$(($2 - 30000)) RABBITMQ_MNESIA_BASE=$1/rmq/mnesia RABBITMQ_LOG_BASE=$1/rmq/log \
    ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    RABBITMQ_ENABLED_PLUGINS_FILE=$1/rmq/enabled_plugins RABBITMQ_CONFIG_FILE=$1/rmq/rabbitmq
}

rmq_start() {  # rmq_start DIR PORT; exports RABBITMQ_URI with a fresh random user
  local dir=$1 port=$2
  rmq_env "$dir" "$port"
  if [ "$(id -u)" = 0 ]; then install -d -o rabbitmq -g rabbitmq "$dir/rmq" "$dir/rmq/mnesia" "$dir/rmq/log"; else mkdir -p "$dir/rmq/mnesia" "$dir/rmq/log"; fi
  echo "[]." >"$dir/rmq/enabled_plugins"; : >"$dir/rmq/rabbitmq.conf"
  [ "$(id -u)" = 0 ] && chown rabbitmq:rabbitmq "$dir/rmq/enabled_plugins" "$dir/rmq/rabbitmq.conf"
  if ! rabbitmqctl -q await_startup --timeout 1 >/dev/null 2>&1; then
    rabbitmq-server -detached >/dev/null 2>&1
    local i
    for i in $(seq 1 120); do rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1 && break; sleep 1; done
  fi
  local user=es-test pass
  pass=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  rabbitmqctl -q delete_user "$user" >/dev/null 2>&1 || true
  rabbitmqctl -q add_user "$user" "$pass" >/dev/null
  rabbitmqctl -q set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null
  export RABBITMQ_URI="amqp://$user:$pass@127.0.0.1:$port/"
}

rmq_stop() { rmq_env "$1" "$2"; rabbitmqctl -q shutdown >/dev/null 2>&1 || true; }
