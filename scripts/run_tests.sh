#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: the tests against the real Asterisk
# (marked `real`: tests/real and the contract's real-vs-simulator checks) in a second
# pytest beside the rest. They spend most of their time waiting on prompts that play in
# real time, so side by side the suite takes about as long as the rest alone. Both must
# pass; the real group's output is printed after the main group's. The main group runs
# on two workers (pytest-xdist), a test file to each at a time (``--dist loadfile``: a
# file's tests share its module fixtures): one process takes ~990 s, two ~650 s.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/pytest" -q -m real -p no:cacheprovider --basetemp="$work/tmp" "$@" >"$work/real.log" 2>&1 &
real_pid=$!
"$bin/pytest" -q -m "not real" -n 2 --dist loadfile "$@"
main=$?
wait "$real_pid"
real=$?
echo
echo "=== against a real Asterisk 22 (pytest -m real) ==="
cat "$work/real.log"
# 5: nothing collected (no test marked real): not a failure of the suite.
[ "$real" -eq 5 ] && real=0
[ "$main" -ne 0 ] && exit "$main"
exit "$real"
