#!/usr/bin/env bash
# Live delivery benchmark on a release build (issue 5): event-to-screen latency from an accepted ingest to receipt on
# CLIENTS (default 500) WebSocket clients at RATE (default 1000) events/s sent BATCH (default 20) per request to
# POST /api/v1/events, p50/p99, and the server's CPU share. MODES (default "summary raw"): clients subscribed to the
# feed's 50 ms summaries (`wall.summary`), then to every entry (`wall`). DB=postgres runs it on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh run
swift build -c release --product ioc --scratch-path .build-release
bin=.build-release/release/ioc
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
# DB=postgres: a throwaway PostgreSQL with its default durability (fsync on), instead of the SQLite file.
if [ "${DB:-sqlite}" = postgres ]; then
  pgdir=$(mktemp -d /tmp/ioc-pg.XXXXXX)
  trap 'cleanup; scripts/pg.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
  export DATABASE_URL=$(IOC_PG_DURABLE=1 scripts/pg.sh start "$pgdir")
  "$bin" migrate --yes >/dev/null
fi
IOC_DATA_DIR=$dir "$bin" demo --dossiers 0 --reports 0 >/dev/null
key=$(IOC_DATA_DIR=$dir "$bin" apikey create --source bench-live --kind events | tail -1)
display=$(IOC_DATA_DIR=$dir "$bin" apikey create --kind display --wall bench-live | tail -1)
ulimit -n 65536 2>/dev/null || true
IOC_DATA_DIR=$dir IOC_BACKGROUND=0 LOG_LEVEL=warning "$bin" serve --hostname 127.0.0.1 --port "$port" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
for mode in ${MODES:-summary raw}; do
  "$bin" bench live --url "http://127.0.0.1:$port" --key "$key" --display-key "$display" --clients "${CLIENTS:-500}" --rate "${RATE:-1000}" \
    --batch "${BATCH:-20}" --mode "$mode" --seconds "${SECONDS_:-10}" --server-pid "$pid" 2>&1 | grep -E "RESULT|clients subscribed"
done
