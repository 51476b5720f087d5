#!/usr/bin/env bash
# Installs Debian's Chromium for the report's browser test
# (tests/python/test_report_browser.py) and for `elp report --pdf`, which prints with it.
# Idempotent: does nothing when a chromium is already on the PATH. Needs root (apt-get); without
# it, or without the Debian package, it says so and exits 0 (the browser test then skips,
# saying why).
set -uo pipefail
for bin in chromium chromium-browser; do
    if command -v "$bin" >/dev/null 2>&1; then
        echo "chromium: $(command -v "$bin") ($("$bin" --version 2>/dev/null | head -1))"
        exit 0
    fi
done
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: not installed (needs root and apt-get); the browser test will skip"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
    echo "chromium: installed $(chromium --version 2>/dev/null | head -1)"
else
    echo "chromium: apt-get install chromium failed; the browser test will skip"
fi
exit 0
