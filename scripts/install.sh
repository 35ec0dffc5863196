#!/usr/bin/env bash
# Installs what egresswatch needs on Debian 12 (system packages through apt, npm packages through
# the lockfile) and builds the eBPF programs, the native addon and the TypeScript.
#   bash scripts/install.sh          to run the monitor
#   bash scripts/install.sh --test   also what the tests and benchmarks use (resolvers, Prometheus,
#                                    Chromium, tshark, wrk, the blackbox exporter)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  '') purpose=run ;;
  --test) purpose=test ;;
  *) echo "usage: bash scripts/install.sh [--test]" >&2; exit 2 ;;
esac
bash scripts/install-system-packages.sh "$purpose"
# The unprivileged user the monitor continues as once capture is attached (capture.user).
if [ "$(id -u)" -eq 0 ] && ! getent passwd egresswatch >/dev/null; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin egresswatch
fi
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
