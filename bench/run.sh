#!/usr/bin/env bash
# The event store benchmark: a private PostgreSQL with the peers' settings, a fresh database, a discarded warm-up,
# then ROUNDS interleaved rounds (plain -> ours -> plain -> ours), each system run in its own process, then the report
# in bench/results/<date>.md (+ .csv, .json; raw lines in .jsonl). A partial run (--only, or a scale other than 1) writes
# bench/results/<date>-partial.* instead, so trying something never overwrites the day's full results.
#
#   bench/run.sh                          full scale, 2 rounds (~8 min on a quiet machine)
#   bench/run.sh --scale 0.05 --rounds 1  smoke run (~1 min)
#   bench/run.sh --only W1,W4             some workloads (W4 seeds the W1 streams when W1 is not run)
#   bench/run.sh --tuned                  adds "ours-tuned": the engine on a data source with TUNED_CONN
#                                         (default "Max Auto Prepare=20;No Reset On Close=true"), per round after ours
#   bench/run.sh --no-paired              skips the paired cross-check (W1 and W4 with the systems rotating every 100
#                                         calls in one process, run once after the rounds)
#   bench/run.sh --with-peers             first runs the peers' own benchmark (../shared/bench-peers/run-all.sh, 45+ min)
#   NICE=-10 bench/run.sh                 on a shared machine: runs the bench and its PostgreSQL at a higher CPU priority
#                                         (negative values need root)
# Same via env: SCALE, ROUNDS, ONLY, TUNED=1, TUNED_CONN, PAIRED=0, WITH_PEERS=1, BENCH_PG_PORT (25435), KEEP_PG=1 (leave the
# server running), NICE.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

SCALE=${SCALE:-1} ROUNDS=${ROUNDS:-2} ONLY=${ONLY:-} WITH_PEERS=${WITH_PEERS:-0} TUNED=${TUNED:-0} PAIRED=${PAIRED:-1}
TUNED_CONN=${TUNED_CONN:-"Max Auto Prepare=20;No Reset On Close=true"}
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --tuned) TUNED=1; shift ;;
    --no-paired) PAIRED=0; shift ;;
    --with-peers) WITH_PEERS=1; shift ;;
    *) echo "unknown option $1 (--scale F --rounds N --only W1,W2 --tuned --no-paired --with-peers)" >&2; exit 2 ;;
  esac
done

peers_dir="$root/../shared/bench-peers"
if [ "$WITH_PEERS" = 1 ]; then
  echo "== peers: $peers_dir/run-all.sh (45+ minutes) =="
  ROUNDS=${PEERS_ROUNDS:-2} "$peers_dir/run-all.sh"  # their rounds, whatever --rounds says for ours
fi

source scripts/servers.sh
ensure_packages pg
state="$root/.local/bench"
port=${BENCH_PG_PORT:-25435}
pg_start "$state" "$port"
[ "${KEEP_PG:-0}" = 1 ] || trap 'pg_stop "$state"' EXIT
NICE=${NICE:-0}
if [ "$NICE" != 0 ]; then  # the postmaster and its children; backends forked later inherit the priority
  postmaster=$(head -1 "$state/pg/postmaster.pid")
  renice -n "$NICE" -p "$postmaster" $(pgrep -P "$postmaster") >/dev/null
fi
psql() { as_user postgres "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
export BENCH_PG="Host=127.0.0.1;Port=$port;Username=postgres;Database=bench"

day=$(date -u +%Y-%m-%d)
mkdir -p bench/results
out="bench/results/$day"
if [ -n "$ONLY" ] || [ "$SCALE" != 1 ]; then out="$out-partial"; fi
: >"$out.jsonl"
{
  echo "machine: nproc=$(nproc) mem=$(free -g | awk '/Mem:/{print $2}')GiB kernel=$(uname -r) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "server: $(psql -d bench -tAc 'select version()')"
  echo "settings: $(psql -d bench -tAc "select string_agg(name||'='||current_setting(name), ' ' order by name) from pg_settings where name in ('shared_buffers','fsync','synchronous_commit','wal_sync_method','max_wal_size','min_wal_size','checkpoint_timeout','wal_level','full_page_writes','max_connections','work_mem')")"
  echo "client: .NET $(dotnet --version) SDK, Npgsql $(grep -o 'Include="Npgsql" Version="[^"]*"' Directory.Packages.props | cut -d'"' -f4), Release build"
  echo "run: scale=$SCALE rounds=$ROUNDS only=${ONLY:-all} nice=$NICE; ours = engine on PostgresEventStore.CreateDataSource(connection string above)$([ "$TUNED" = 1 ] && echo "; ours-tuned = engine on a data source with \"$TUNED_CONN\"")"
} >"$out.env.txt"
cat "$out.env.txt"

dotnet build bench/Bench -c Release -v q -nologo >/dev/null
bench() { nice -n "$NICE" dotnet run -c Release --no-build --project bench/Bench -- "$@"; }
only=(); [ -n "$ONLY" ] && only=(--only "$ONLY")
systems=(plain ours); [ "$TUNED" = 1 ] && systems+=(ours-tuned)
run_system() {  # run_system NAME ARGS...
  local name=$1; shift
  case "$name" in
    ours-tuned) bench run --system ours --label ours-tuned --ours-conn-extra "$TUNED_CONN" "$@" ;;
    *) bench run --system "$name" "$@" ;;
  esac
}

echo "== warm-up (discarded) =="
for s in "${systems[@]}"; do run_system "$s" --round 0 --scale 0.05 "${only[@]}" >/dev/null; done
for r in $(seq 1 "$ROUNDS"); do
  for s in "${systems[@]}"; do
    echo "== round $r: $s =="
    run_system "$s" --round "$r" --scale "$SCALE" "${only[@]}" --out "$out.jsonl"
  done
done
if [ "$PAIRED" = 1 ] && [ -z "$ONLY" ]; then
  echo "== paired cross-check: W1, W4 =="
  tuned=(); [ "$TUNED" = 1 ] && tuned=(--tuned-conn "$TUNED_CONN")
  bench paired --scale "$SCALE" "${tuned[@]}" --out "$out.jsonl"
fi

peers_csv=$(ls "$peers_dir"/results-*.csv 2>/dev/null | sort | tail -n 1 || true)
just_ran=(); [ "$WITH_PEERS" = 1 ] && just_ran=(--peers-just-ran)
bench report --in "$out.jsonl" --out-prefix "$out" --env "$out.env.txt" ${peers_csv:+--peers "$peers_csv"} "${just_ran[@]}"
rm -f "$out.env.txt"
echo "wrote $out.md, $out.csv, $out.json"
