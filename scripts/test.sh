#!/usr/bin/env bash
# `make test`: build once, run every Swift test on SQLite and on a real PostgreSQL, then the browser tests
# (one instance on SQLite; two instances behind nginx on the same PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test

echo "== build (debug, with tests)"
time swift build --build-tests

echo "== Swift tests on SQLite"
swift test --skip-build

pgdir=$(mktemp -d /tmp/ioc-pg.XXXXXX)
trap 'scripts/pg.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
url=$(scripts/pg.sh start "$pgdir")
echo "== Swift tests on PostgreSQL ($("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/postgres" --version))"
IOC_TEST_DATABASE_URL="$url" swift test --skip-build

echo "== browser tests (headless Chromium, SQLite)"
status=0
python3 Tests/e2e/run_e2e.py --binary .build/debug/ioc || status=1

# The PostgreSQL server above stays up until this script exits (its trap).
echo "== two instances behind nginx (headless Chromium, PostgreSQL)"
python3 Tests/e2e/cluster_e2e.py --binary .build/debug/ioc --database-url "$url" || status=1
exit $status
