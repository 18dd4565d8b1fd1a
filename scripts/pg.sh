#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests, in a directory of its own, on a free loopback port.
#   scripts/pg.sh start DIR   starts it and prints its DATABASE_URL (also written to DIR/url)
#   scripts/pg.sh stop DIR    stops it
# PostgreSQL refuses to run as root: as root, the server runs as the 'postgres' system user.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  "$(dirname "$0")/bootstrap.sh" test >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

as_owner=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_owner=(runuser -u postgres --)
fi

# Tests trade durability for speed; IOC_PG_DURABLE=1 keeps PostgreSQL's defaults (fsync on), for benchmarks.
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${IOC_PG_DURABLE:-0}" = 1 ]; then durability=""; fi

case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U ioc --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U ioc --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 $durability" >/dev/null
  "$bin/psql" -q -h 127.0.0.1 -p "$port" -U ioc -d postgres -c "CREATE DATABASE ioc_test" >/dev/null
  url="postgres://ioc@127.0.0.1:$port/ioc_test?sslmode=disable"
  echo "$url" >"$dir/url"
  echo "$url"
  ;;
stop)
  if [ -d "$dir/data" ]; then "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
