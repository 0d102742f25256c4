#!/usr/bin/env bash
# Runs the service on this machine: a private PostgreSQL from the machine's binaries (data in .local/run, a free
# loopback port), the Host built in Release on the in-memory bus, the demo data seeded on first run, a signing key per
# data folder, the URLs and a dev token printed. Ctrl-C stops the Host and the database.
#
# Given ConnectionStrings__EventStore (and optionally RABBITMQ_URI), it uses those and starts nothing; it seeds such a
# database only when SEED_SIZE is set. Other knobs: PORT (HTTP, default 5080 or the next free one), SEED_SIZE
# (tiny, small, demo, 1m, 250k …; default demo on the first run of the private database). The demo's history ends on
# the day it was seeded; remove .local/run to start over with fresh data (RUN_STATE names another data folder).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
source scripts/servers.sh

state="${RUN_STATE:-$root/.local/run}"
mkdir -p "$state"

host_pid="" verb_pid="" started_pg=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$verb_pid" ] && kill -0 "$verb_pid" 2>/dev/null; then
    echo; echo "stopping the seed ..."
    kill -TERM "$verb_pid" 2>/dev/null || true   # the verb cancels and removes its temporary files
    wait "$verb_pid" 2>/dev/null || true
  fi
  if [ -n "$host_pid" ] && kill -0 "$host_pid" 2>/dev/null; then
    echo; echo "stopping the Host ..."
    kill -TERM "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  if [ -n "$started_pg" ]; then
    echo "stopping PostgreSQL ..."
    pg_stop "$state"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Database: the one given, or a private one whose port is chosen once per data folder.
seed_size=${SEED_SIZE:-}
if [ -z "${ConnectionStrings__EventStore:-}" ]; then
  ensure_packages pg
  if [ -f "$state/pg/postmaster.pid" ] && as_user postgres "$PG_BIN/pg_ctl" -D "$state/pg" status >/dev/null 2>&1; then
    echo "PostgreSQL in $state/pg is already running (another ./run.sh?); using it"
  else
    if [ ! -f "$state/pg/PG_VERSION" ]; then
      free_port 25440 >"$state/pg-port"
      rm -f "$state/seeded"
    fi
    pg_port=$(cat "$state/pg-port")
    port_free "$pg_port" || { echo "port $pg_port (fixed for $state/pg) is taken; free it or remove $state to start over" >&2; exit 1; }
    echo "starting PostgreSQL on 127.0.0.1:$pg_port (data in $state/pg) ..."
    pg_start "$state" "$pg_port"
    started_pg=1
  fi
  if [ ! -f "$state/seeded" ] && [ -z "$seed_size" ]; then seed_size=demo; fi
  export ConnectionStrings__EventStore="Host=127.0.0.1;Port=$(cat "$state/pg-port");Username=postgres;Database=postgres"
  private_db=1
else
  echo "using the database given in ConnectionStrings__EventStore"
  private_db=""
fi
if [ -n "${RABBITMQ_URI:-}" ]; then echo "using RabbitMQ at ${RABBITMQ_URI##*@}"; else echo "using the in-memory bus"; fi

# MassTransit otherwise reports usage over the network at start and stop (and logs the failure offline).
export MASSTRANSIT_USAGE_TELEMETRY=${MASSTRANSIT_USAGE_TELEMETRY:-false}

# A signing key per data folder, never committed (.local is git-ignored).
[ -s "$state/signing-key" ] || (umask 077; head -c 48 /dev/urandom | base64 -w0 >"$state/signing-key")
export Auth__SigningKey="$(cat "$state/signing-key")"

echo "building the Host (Release) ..."
dotnet build src/Host/Host.csproj -c Release -nologo -v q -clp:ErrorsOnly
dll="$root/src/Host/bin/Release/net10.0/CoManagement.Host.dll"
# The Host's content root is its working directory: src/Host holds appsettings.json and wwwroot (the dashboard).
cd "$root/src/Host"

if [ -n "$seed_size" ]; then
  echo "seeding the $seed_size data set (once) ..."
  # In the background and waited for: bash runs a trap only after its foreground command ends, so a SIGTERM would
  # otherwise wait for the whole seed (minutes at 1m) and never reach it.
  dotnet "$dll" seed --size "$seed_size" &
  verb_pid=$!
  wait "$verb_pid"
  verb_pid=""
  if [ -n "$private_db" ]; then date -u +%FT%TZ >"$state/seeded"; fi
else
  dotnet "$dll" migrate
fi

http_port=${PORT:-$(free_port 5080)}
base="http://127.0.0.1:$http_port"
ASPNETCORE_URLS="$base" dotnet "$dll" &  # dotnet itself is the background job: the clean-up's kill reaches it
host_pid=$!
for _ in $(seq 1 120); do
  port_free "$http_port" || break
  kill -0 "$host_pid" 2>/dev/null || { echo "the Host exited during start" >&2; exit 1; }
  sleep 0.5
done

token() { dotnet "$dll" token --role "$1" --org "$2" --side "$3" --user "dev-$1" --hours 12 2>/dev/null || echo "(token verb failed)"; }
cat <<EOF

  dashboard   $base/
  OpenAPI     $base/openapi/v1.json
  health      $base/health/live   $base/health/ready

  analyst token (12 h):  $(token analyst pl Outflow)
  auditor token (12 h):  $(token auditor pl Outflow)
  e.g. curl -H "Authorization: Bearer <token>" "$base/api/roster?pageSize=5"

  Ctrl-C stops everything.
EOF
wait "$host_pid"
