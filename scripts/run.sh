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
echo "     http://localhost:$port/phan-anh.html (gửi phản ánh / file a report), /phan-anh-cong-khai.html, /open311/discovery.xml"
# The demo simulator keeps the wall alive: new field reports and cases moving (IOC_SIMULATOR=0 to turn it off).
IOC_SIMULATOR=${IOC_SIMULATOR:-1} exec "$bin" serve --hostname "$host" --port "$port"
