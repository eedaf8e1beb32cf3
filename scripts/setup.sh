#!/usr/bin/env bash
# Set up briefgen on a fresh Debian machine: system libraries and fonts (apt-get, only what is missing),
# then a virtual environment in .venv with the pinned Python packages of constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  libpango-1.0-0 libpangoft2-1.0-0   # WeasyPrint's text layout
  libharfbuzz-subset0                 # fast font subsetting (about 3x faster PDFs)
  fonts-noto-core                     # Noto Sans / Serif, Arabic and Hebrew: the brief's fonts
  poppler-utils qpdf                  # pdftotext, pdffonts, pdftoppm for tests and checks
  chromium                            # the real-browser test of the HTML brief
)
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
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
echo "setup: ready (.venv/bin/briefgen)" >&2
