#!/usr/bin/env bash
# Wall benchmarks on a release build (issue 5): the map viewport query (GET /api/v1/map/reports, server-side clusters
# or points) over REPORTS (default 100,000) field reports, random viewports at zooms 7–16: p50/p95.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh run
reports=${REPORTS:-100000}
swift build -c release --product ioc --scratch-path .build-release
bin=.build-release/release/ioc
dir=$(mktemp -d)
data=${BENCH_DATA:-$dir}   # BENCH_DATA=DIR keeps the loaded database between runs
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
mkdir -p "$data"
echo "== $reports field reports in $data"
IOC_DATA_DIR=$data "$bin" demo --dossiers 0 --reports "$reports" | grep -E "field reports|Phản ánh"
key=$(IOC_DATA_DIR=$data "$bin" apikey create --kind display --wall "bench-$$" | tail -1)
IOC_DATA_DIR=$data IOC_BACKGROUND=0 LOG_LEVEL=warning "$bin" serve --hostname 127.0.0.1 --port "$port" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
python3 scripts/bench_map.py "http://127.0.0.1:$port" "$key" 50 >/dev/null   # warm-up (the first request loads the point index)
python3 scripts/bench_map.py "http://127.0.0.1:$port" "$key" "${MAP_N:-400}"
