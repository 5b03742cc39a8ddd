#!/usr/bin/env bash
# The real Asterisk 22 the tests in tests/real run against: built once per machine
# by ../shared/asterisk/build.sh (about 10 minutes on 2 cores; later runs return at
# once from the cache under ~/.cache/ivr101-asterisk/). Without ../shared the real
# tests are skipped and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
build=../shared/asterisk/build.sh
if [ ! -f "$build" ]; then
    echo "no $build: the real-Asterisk tests will be skipped" >&2
    exit 0
fi
if [ -z "${IVR_ASTERISK_HOME:-}" ] && [ ! -x "$HOME/.cache/ivr101-asterisk/22.10.1/sbin/asterisk" ]; then
    echo "building Asterisk 22.10.1 and SIPp for tests/real (once per machine, ~10 min)..." >&2
fi
if [ "$(id -u)" = 0 ]; then bash "$build" >/dev/null; else sudo -E HOME="$HOME" bash "$build" >/dev/null; fi
