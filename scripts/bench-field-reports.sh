#!/usr/bin/env bash
# Field-report benchmarks on a release build (issue 3):
#  1. GET /open311/v2/requests.json with filters, 50 per page, over REPORTS (default 100,000) reports: requests/s (wrk,
#     2 threads, 32 connections) and the ratio to the same server's trivial GET (/healthz) in the same run.
#  2. Intake of a report with two ~500 KB photos: p50/p95 over 200 sequential reports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh bench
reports=${REPORTS:-100000}
swift build -c release --product ioc --scratch-path .build-release
bin=.build-release/release/ioc
dir=$(mktemp -d)
# BENCH_DATA=DIR keeps the loaded database between runs (loading 100,000 reports takes about 2 minutes).
data=${BENCH_DATA:-$dir}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
mkdir -p "$data"
echo "== loading $reports field reports (release build, SQLite in $data)"
start=$(date +%s.%N)
IOC_DATA_DIR=$data "$bin" demo --dossiers 0 --reports "$reports" | grep -E "field reports|Phản ánh"
echo "   load took $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
serve() { # serve CACHE_SECONDS: (re)start the server
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  IOC_DATA_DIR=$data IOC_BACKGROUND=0 IOC_INTAKE_LIMIT=0 IOC_OPEN311_CACHE_SECONDS=$1 LOG_LEVEL=warning \
    "$bin" serve --hostname 127.0.0.1 --port "$port" >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
}
base="http://127.0.0.1:$port"
for cache in 0 10; do
  serve $cache
  echo "== Open311 list, response cache ${cache} s ($([ "$cache" = 0 ] && echo 'every request runs the query' || echo 'answers reused until a case changes or 10 s pass'))"
  echo "   sample: $(curl -s "$base/open311/v2/requests.json?service_code=duong-o-ga&page_size=50&page=1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)), "requests in page 1")')"
  wrk -t2 -c32 -d5s "$base/healthz" >/dev/null  # warm-up
  wrk -t2 -c32 -d5s -s scripts/wrk-open311.lua "$base" >/dev/null
  trivial=$(wrk -t2 -c32 -d15s -s scripts/wrk-trivial.lua "$base/healthz" | grep RESULT)
  open311=$(wrk -t2 -c32 -d15s -s scripts/wrk-open311.lua "$base" | grep RESULT)
  echo "   trivial GET /healthz:               $trivial"
  echo "   GET /open311/v2/requests.json (50): $open311"
  python3 - "$trivial" "$open311" "$cache" <<'PY'
import sys, re
rps = [float(re.search(r"rps=(\d+)", s).group(1)) for s in sys.argv[1:3]]
print(f"   RATIO open311/trivial = {rps[1] / rps[0]:.2f}  (open311 {rps[1]:.0f} req/s, trivial {rps[0]:.0f} req/s; cache {sys.argv[3]} s; goal ≥ 5000 req/s)")
PY
done
echo "== intake with two ~500 KB photos"
/usr/bin/convert -seed 7 -size 1280x960 plasma:fractal -quality 92 "$dir/p1.jpg"
/usr/bin/convert -seed 8 -size 1280x960 plasma:fractal -quality 92 "$dir/p2.jpg"
ls -l "$dir"/p1.jpg "$dir"/p2.jpg | awk '{print "   photo " $9 ": " $5 " bytes"}'
python3 scripts/bench_intake.py "$base" "$dir/p1.jpg" "$dir/p2.jpg" "${INTAKE_N:-200}"
