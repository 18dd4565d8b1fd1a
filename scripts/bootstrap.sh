#!/usr/bin/env bash
# Installs the system packages IOC needs, only those missing. Debian/Ubuntu (apt), as root or through sudo.
#   scripts/bootstrap.sh run    Leaflet and Chart.js for the web UI, espeak-ng and ffmpeg (spoken warnings)
#   scripts/bootstrap.sh test   + PostgreSQL, Chromium and chromedriver, Python selenium (browser tests), ImageMagick, exiftool, xmllint,
#                               nginx (the two-instance test runs its own; the system service is never started)
#   scripts/bootstrap.sh bench  + wrk and ImageMagick (benchmarks)
set -euo pipefail
what=${1:-run}

missing=()
need() { # need PACKAGE PATH-THAT-PROVES-IT-IS-INSTALLED
  if [ ! -e "$2" ]; then missing+=("$1"); fi
}
need libjs-leaflet /usr/share/javascript/leaflet/leaflet.js
need libjs-chart.js /usr/share/javascript/chart.js/chart.min.js
# Loudspeaker bulletins (truyền thanh): Vietnamese speech and MP3 encoding.
need espeak-ng /usr/bin/espeak-ng
need ffmpeg /usr/bin/ffmpeg
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
  # Warnings: emitted CAP is validated against the OASIS XSD with xmllint; bulletins are spoken by espeak-ng and
  # encoded by ffmpeg (the tests fetch and decode the audio).
  need libxml2-utils /usr/bin/xmllint
  need espeak-ng /usr/bin/espeak-ng
  need ffmpeg /usr/bin/ffmpeg
fi

want_nginx=0
if [ "$what" = "test" ] && [ ! -x /usr/sbin/nginx ]; then want_nginx=1; fi

if [ ${#missing[@]} -gt 0 ] || [ $want_nginx = 1 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "bootstrap: need root or sudo to install: ${missing[*]} $([ $want_nginx = 0 ] || echo nginx)" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ $want_nginx = 1 ]; then
  # Tests/e2e/cluster_e2e.py runs an nginx of its own on a free loopback port. Debian's package would start a
  # system-wide nginx on port 80 (and fail the install when that start fails, e.g. without IPv6): while it installs,
  # a policy-rc.d (the Debian way, see invoke-rc.d(8)) forbids starting services, unless the machine has one
  # already; afterwards the system service is left stopped and disabled. Nothing here uses it.
  echo "bootstrap: installing nginx (the system service is not started)"
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    own_policy=1
    trap '$SUDO rm -f "$policy"' EXIT
    printf '#!/bin/sh\n# scripts/bootstrap.sh, while nginx installs: start no service.\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
  fi
  $SUDO apt-get install -y -qq --no-install-recommends nginx >/dev/null
  if [ $own_policy = 1 ]; then $SUDO rm -f "$policy"; trap - EXIT; fi
  if command -v systemctl >/dev/null; then $SUDO systemctl disable --now nginx.service >/dev/null 2>&1 || true; fi
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
