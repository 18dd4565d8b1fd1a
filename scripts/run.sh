#!/usr/bin/env bash
# `make run`: install what is missing, build, migrate, load the demo province and serve on http://localhost:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh run
config=${CONFIG:-debug}
swift build -c "$config"
bin=".build/$config/ioc"
host=${HOST:-0.0.0.0}; port=${PORT:-8080}
"$bin" migrate --yes >/dev/null
"$bin" demo
echo
echo "IOC: http://localhost:$port   (đăng nhập bằng một tài khoản ở trên / sign in with a login above)"
exec "$bin" serve --hostname "$host" --port "$port"
