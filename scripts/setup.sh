#!/usr/bin/env bash
# Idempotent set-up on Debian 12 (as root, or with sudo): system packages, a virtual environment, the package.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv python3-dev espeak-ng libespeak-ng1 libportaudio2 libasound2-plugins
              pulseaudio pulseaudio-utils sox)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip "setuptools>=77" wheel >/dev/null
# Editable, so a checkout's edits take effect; a test builds and installs the real wheel separately.
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[speech,dev,test,report]"
