#!/usr/bin/env bash
# School filter benchmark (issue 5): `childsafe dnsfilter` with 1M blocked names against
# Debian's Unbound (one thread, the same names as RPZ), both driven by dnsperf on
# loopback, each server pinned to one core. See bench/dnsfilter.py for what is measured;
# arguments are passed on (e.g. --domains 100000 --seconds 5). Prints figures; asserts none.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bench-deps.sh
exec .venv/bin/python bench/dnsfilter.py "$@"
