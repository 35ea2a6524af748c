#!/usr/bin/env bash
# Install axe-core (the accessibility engine the real-browser test runs in each page) with npm into
# .venv/axe/, pinned; no CDN is ever used at run time. Writes the outcome to .venv/.axe-status;
# tests/browser/test_browser.py reads it to decide whether a missing axe-core is a failure or a clear skip.
AXE_VERSION=4.14.1
status=.venv/.axe-status
axe=.venv/axe/node_modules/axe-core/axe.min.js
if [ -f "$axe" ] && grep -q "axe v$AXE_VERSION" "$axe"; then
  echo "installed: $axe" > "$status"; exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "unavailable: npm is not installed, so axe-core cannot be installed" > "$status"; exit 0
fi
echo "installing axe-core $AXE_VERSION for the browser test (npm)..."
if npm install --no-save --no-audit --no-fund --prefix .venv/axe "axe-core@$AXE_VERSION" >/tmp/lscb-npm.log 2>&1; then
  echo "installed: $axe" > "$status"
else
  echo "unavailable: npm install axe-core failed (see /tmp/lscb-npm.log)" > "$status"
fi
exit 0
