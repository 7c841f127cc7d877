#!/usr/bin/env bash
# Install the Debian packages the benchmarks compare against, when they are missing:
# Knot DNS (the peer primary of bench/feeds.py) and the DNS tools of the test setup.
# Called by `make bench-feeds`; needs root (or sudo) only when something is missing.
set -euo pipefail

"$(dirname "$0")/system-deps.sh"
need=()
[ -x /usr/sbin/knotd ] || need+=(knot)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages for the benchmarks: ${need[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
# Debian starts knotd as a service when it can; the benchmark runs its own.
$SUDO pkill -x knotd 2>/dev/null || true
