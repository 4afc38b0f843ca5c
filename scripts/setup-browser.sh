#!/usr/bin/env bash
# Installs what the browser tests (tests/browser) need: Debian's Chromium and fonts with Cyrillic letters and
# emoji, so the preview's screenshots show what a person would see. Idempotent: does nothing when all is there.
# Never downloads a browser from anywhere else (no `playwright install`).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
PACKAGES=(chromium fonts-dejavu-core fonts-noto-color-emoji)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ -x "$CHROMIUM" ] && [ ${#missing[@]} -eq 0 ]; then
  echo "setup-browser: Chromium is installed ($CHROMIUM)."
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: error: ${missing[*]:-chromium} missing and apt-get not found (this script is for Debian)." >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup-browser: error: installing ${missing[*]} needs root, and sudo is not available." >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "setup-browser: installing ${missing[*]} from the Debian packages ..."
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"

if [ ! -x "$CHROMIUM" ]; then
  echo "setup-browser: error: apt-get finished but $CHROMIUM is still missing." >&2
  exit 1
fi
echo "setup-browser: Chromium is installed ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))."
