#!/usr/bin/env bash
# Installs the system packages IOC needs, only those missing. Debian/Ubuntu (apt), as root or through sudo.
#   scripts/bootstrap.sh run    Leaflet and Chart.js for the web UI
#   scripts/bootstrap.sh test   + PostgreSQL, Chromium and chromedriver, Python selenium (browser tests), ImageMagick, exiftool
#   scripts/bootstrap.sh bench  + wrk and ImageMagick (benchmarks)
set -euo pipefail
what=${1:-run}

missing=()
need() { # need PACKAGE PATH-THAT-PROVES-IT-IS-INSTALLED
  if [ ! -e "$2" ]; then missing+=("$1"); fi
}
need libjs-leaflet /usr/share/javascript/leaflet/leaflet.js
need libjs-chart.js /usr/share/javascript/chart.js/chart.min.js
if [ "$what" = "bench" ]; then
  need wrk /usr/bin/wrk
  need imagemagick /usr/bin/convert
fi
if [ "$what" = "test" ]; then
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
  need chromium /usr/bin/chromium
  need chromium-driver /usr/bin/chromedriver
  # Image tests decode sanitized photos with ImageMagick and read their metadata with exiftool.
  need imagemagick /usr/bin/convert
  need libimage-exiftool-perl /usr/bin/exiftool
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$what" = "test" ]; then
  if ! python3 -c 'import selenium' 2>/dev/null; then
    echo "bootstrap: installing Python selenium"
    python3 -m pip install -q selenium 2>/dev/null || python3 -m pip install -q --break-system-packages selenium
  fi
fi
if ! command -v swift >/dev/null; then
  echo "bootstrap: the Swift toolchain (6.x) must be on PATH" >&2; exit 1
fi
