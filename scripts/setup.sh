#!/usr/bin/env bash
# Set up briefgen on a fresh Debian or Ubuntu machine, from a checkout:
#   bash scripts/setup.sh         what running briefgen needs: system libraries and fonts (apt-get, only what
#                                 is missing), then .venv with briefgen and its pinned packages (constraints.txt)
#   bash scripts/setup.sh --dev   also what the tests need: Chromium, poppler-utils, qpdf and the dev packages
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
for argument in "$@"; do
  case "$argument" in
    --dev) dev=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $argument (expected --dev)" >&2; exit 2 ;;
  esac
done

packages=(
  libpango-1.0-0 libpangoft2-1.0-0   # WeasyPrint's text layout
  libharfbuzz-subset0                 # fast font subsetting (about 3x faster PDFs)
  fonts-noto-core                     # Noto Sans / Serif, Arabic and Hebrew: the brief's fonts
)
if ((dev)); then
  packages+=(
    poppler-utils qpdf                # pdftotext, pdffonts, pdftoppm for tests and checks
    chromium                          # the real-browser test of the HTML brief
  )
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
extras="[ingest]"  # briefgen ingest is a user command too
((dev)) && extras="[dev]"
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".${extras}"
hint=""
((dev)) && hint="; tests: .venv/bin/python -m pytest"
echo "setup: ready (.venv/bin/briefgen${hint})" >&2
