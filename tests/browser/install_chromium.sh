#!/usr/bin/env bash
# Install Debian's Chromium for the real-browser test when it is missing.
# Writes the outcome to .venv/.browser-status; tests/browser/test_browser.py reads it to decide
# whether a missing Chromium is a failure (it could be installed) or a clear skip (it could not).
status=.venv/.browser-status
if command -v chromium >/dev/null 2>&1; then
  echo "installed: $(command -v chromium)" > "$status"; exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "unavailable: chromium is not installed and apt-get cannot be used here (not root or not Debian)" > "$status"; exit 0
fi
echo "installing Debian chromium for the browser test (apt-get)..."
if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/tmp/lscb-apt.log 2>&1; then
  echo "installed: $(command -v chromium)" > "$status"
else
  echo "unavailable: apt-get install chromium failed (see /tmp/lscb-apt.log)" > "$status"
fi
exit 0
