#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing, starts a private PostgreSQL and RabbitMQ on
# loopback, runs every test assembly, stops what it started, prints "N passed, N failed, N skipped" last and exits
# with dotnet's exit code.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
source scripts/servers.sh

state="$root/.local/test"
mkdir -p "$state" artifacts
# Below the ephemeral port range (see scripts/servers.sh); the next free ones if taken.
PG_PORT=${TEST_PG_PORT:-$(free_port 25433)}
RMQ_PORT=${TEST_RABBITMQ_PORT:-$(free_port 26672)}

# A server that does not start ends the run at once, with the reason, rather than leaving every test to time out.
no_servers() { echo "$1" >&2; echo "0 passed, 0 failed, 0 skipped"; exit 1; }

ensure_packages pg rabbitmq chromium
cleanup() { rmq_stop "$state" "$RMQ_PORT"; pg_stop "$state"; }
trap cleanup EXIT
rm -rf "$state/pg"
pg_start "$state" "$PG_PORT" || no_servers "PostgreSQL did not start on 127.0.0.1:$PG_PORT (log: $state/pgsock/pg.log)"
rmq_start "$state" "$RMQ_PORT" || no_servers "RabbitMQ did not start on 127.0.0.1:$RMQ_PORT"

export ES_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Maximum Pool Size=60"
export ES_TEST_RABBITMQ="$RABBITMQ_URI"

log="$root/artifacts/test-output.log"
dotnet test EventStore.sln --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}

# Repeat each failure (name, message, first lines of the stack) just above the closing line, where a CI log's tail shows it.
if grep -qE '^ +Failed [A-Za-z_]' "$log"; then
  echo "---- failed tests ----"
  awk '/^ +Failed [A-Za-z_]/{n=16} n>0{print; n--}' "$log"
fi

# dotnet test prints a summary block per test assembly ("Total tests: N" then "Passed: N", "Failed: N", "Skipped: N");
# CI reads one closing line for the whole run.
read -r passed failed skipped < <(grep -E '^ +(Passed|Failed|Skipped): +[0-9]+ *$' "$log" | \
  awk '{n=$2+0} $1=="Passed:"{p+=n} $1=="Failed:"{f+=n} $1=="Skipped:"{s+=n} END {print p+0, f+0, s+0}')
echo "$passed passed, $failed failed, $skipped skipped"
exit "$code"
