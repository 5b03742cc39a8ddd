#!/usr/bin/env bash
# The system packages the tests use, installed once from Debian:
# - chromium: the console's browser tests drive it through Playwright (a browser
#   download cannot work on these machines);
# - espeak-ng and sox: the prompt renderer (ivr.media.synth), which the console uses
#   when an admin adds an incident message, and whose tests render for real;
# - postgresql-15: the stores' tests run on PostgreSQL too (tests/postgres.py starts
#   a server from its binaries in a temporary folder).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
[ "${#missing[@]}" -eq 0 ] && exit 0
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing ${missing[*]} for the tests..." >&2
as_root apt-get install -y -q "${missing[@]}" >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q "${missing[@]}" >/dev/null; }
