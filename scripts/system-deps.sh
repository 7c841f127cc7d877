#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when they are missing.
# Called by `make test`; needs root (or sudo) only when something is missing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
# Real DNS software for the blocklist and filter tests (RPZ checks, Unbound, dnsperf).
command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] || need+=(unbound)
command -v named-checkzone >/dev/null 2>&1 || need+=(bind9-utils)
command -v dnsperf >/dev/null 2>&1 || need+=(dnsperf)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages for the tests: ${need[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
