#!/usr/bin/env bash
# The system packages the speech benches need beyond the tests' (scripts/install_system.sh):
# - flite: the project's own test voices (scripts/make_test_speech.py);
# - festival with festvox-kallpc16k, festvox-kdlpc16k and the HTS voice festvox-us-slt-hts:
#   the independent test voices (bench/voices.py), voices the engines were never tuned on;
# - espeak-ng and sox: espeak-ng accents, pitch/tempo shifts and the telephone band.
# No test needs them: bench/heldout_asr.py says what is missing when it is.
set -euo pipefail
packages=(flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts espeak-ng sox)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
        || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing ${missing[*]} for the speech benches..." >&2
as_root apt-get install -y -q "${missing[@]}" >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q "${missing[@]}" >/dev/null; }
