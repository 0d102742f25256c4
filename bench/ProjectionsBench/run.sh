#!/usr/bin/env bash
# Projection benchmark on a private PostgreSQL (port 55436): load the data set, build the read models, rebuild them
# with the runner, measure query latency. Usage: bench/ProjectionsBench/run.sh [members] (default 1,000,000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source scripts/servers.sh
ensure_packages pg
members=${1:-1000000}
pg_start "$root/.local/pbench" 55436
trap 'pg_stop "$root/.local/pbench"' EXIT
dotnet build bench/ProjectionsBench -c Release -v q
run() { dotnet run --project bench/ProjectionsBench -c Release --no-build -- "$@"; }
run load --members "$members"
run build --batch 20000                      # all four read models from one pass over the feed
run query --iterations 300
# On a small set (it holds the feed in memory): each projection alone, then the runner's own blue/green rebuild,
# whose feed query sorts the remaining range per page (see README).
PBENCH_SCHEMA=pbench_small run load --members 50000
PBENCH_SCHEMA=pbench_small run apply --batch 10000
PBENCH_SCHEMA=pbench_small run rebuild --batch 10000
