#!/usr/bin/env bash
# Projection benchmark on a private PostgreSQL (port 25436): load the data set, build the read models, rebuild them
# with the runner, measure query latency. Usage: bench/ProjectionsBench/run.sh [members] (default 1,000,000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source scripts/servers.sh
ensure_packages pg
members=${1:-1000000}
pg_start "$root/.local/pbench" 25436
trap 'pg_stop "$root/.local/pbench"' EXIT
dotnet build bench/ProjectionsBench -c Release -v q
run() { dotnet run --project bench/ProjectionsBench -c Release --no-build -- "$@"; }
run load --members "$members"
run build                                    # all four read models from one pass over the feed (their rebuild sessions)
run floor                                    # plain SQL: the feed read, the final tables' write and read indexes (no folding)
run rebuild --group-only                     # all four rebuilt together, the feed read once (start-up, `rebuild all`)
run rebuild --together-only                  # the four runners rebuilding at once, each reading the feed itself
run catchup                                  # the async projections' live runners catching up from 0, as after a bulk import
run query --iterations 300
# On a small set: each projection alone from a feed held in memory, then each runner's rebuild alone and all at once.
PBENCH_SCHEMA=pbench_small run load --members 50000
PBENCH_SCHEMA=pbench_small run apply
PBENCH_SCHEMA=pbench_small run rebuild
