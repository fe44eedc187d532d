#!/usr/bin/env bash
# Installs what sohoa needs on a fresh Debian machine: system packages (apt)
# and a virtual environment with the project (pip). Safe to run again: it
# only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet libtesseract-dev libleptonica-dev g++ pkg-config poppler-utils qpdf fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-freefont-ttf fonts-roboto-unhinted softhsm2 chromium libjpeg-turbo-progs)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.sohoa-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  # tesserocr built against Debian's libtesseract: the same engine as the CLI (the PyPI wheel bundles another version, whose confidences differ)
  .venv/bin/python -m pip install -q --no-binary tesserocr -e '.[test,fit]'
  touch "$stamp"
fi
