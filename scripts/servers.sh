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

# Choose ports below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999 here): a port
# in it can be the local end of any outgoing connection at the moment a server binds it (RabbitMQ once failed to
# start so, eaddrinuse on 55672), which no check beforehand can rule out.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }

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
    # The port given wins over the one written at initdb, so a data folder can move to another port.
    as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg" -l "$dir/pgsock/pg.log" -o "-p $port" -w -t 60 start >/dev/null
  fi
}

pg_stop() { as_user postgres "$PG_BIN/pg_ctl" -D "$1/pg" -m fast -w stop >/dev/null 2>&1 || true; }

rmq_env() {  # rmq_env DIR PORT
  export RABBITMQ_NODENAME=rabbit-es-$2@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$2 \
    RABBITMQ_DIST_PORT=$(($2 + 1000)) RABBITMQ_MNESIA_BASE=$1/rmq/mnesia RABBITMQ_LOG_BASE=$1/rmq/log \
    ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    RABBITMQ_ENABLED_PLUGINS_FILE=$1/rmq/enabled_plugins RABBITMQ_CONFIG_FILE=$1/rmq/rabbitmq
}

rmq_start() {  # rmq_start DIR PORT (and PORT + 1000 for Erlang distribution); exports RABBITMQ_URI with a fresh random user; fails if the node does not come up
  local dir=$1 port=$2
  rmq_env "$dir" "$port"
  if [ "$(id -u)" = 0 ]; then install -d -o rabbitmq -g rabbitmq "$dir/rmq" "$dir/rmq/mnesia" "$dir/rmq/log"; else mkdir -p "$dir/rmq/mnesia" "$dir/rmq/log"; fi
  echo "[]." >"$dir/rmq/enabled_plugins"; : >"$dir/rmq/rabbitmq.conf"
  [ "$(id -u)" = 0 ] && chown rabbitmq:rabbitmq "$dir/rmq/enabled_plugins" "$dir/rmq/rabbitmq.conf"
  if ! rabbitmqctl -q await_startup --timeout 1 >/dev/null 2>&1; then
    rm -f "$dir/rmq/log/erl_crash.dump"
    rabbitmq-server -detached >/dev/null 2>&1
    local i
    for i in $(seq 1 120); do
      rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1 && break
      [ -f "$dir/rmq/log/erl_crash.dump" ] && break # the node died while booting
      sleep 1
    done
  fi
  if ! rabbitmqctl -q await_startup --timeout 1 >/dev/null 2>&1; then
    echo "RabbitMQ did not start on 127.0.0.1:$port; the first errors in its log ($dir/rmq/log):" >&2
    grep -h -m 5 -E "error|reason" "$dir"/rmq/log/*.log >&2 2>/dev/null || true
    return 1
  fi
  local user=es-test pass
  pass=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  rabbitmqctl -q delete_user "$user" >/dev/null 2>&1 || true
  rabbitmqctl -q add_user "$user" "$pass" >/dev/null
  rabbitmqctl -q set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null
  export RABBITMQ_URI="amqp://$user:$pass@127.0.0.1:$port/"
}

rmq_stop() { rmq_env "$1" "$2"; rabbitmqctl -q shutdown >/dev/null 2>&1 || true; }
