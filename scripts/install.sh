#!/usr/bin/env bash
# Installs everything egresswatch needs on Debian 12 (system packages through apt, npm packages
# through the lockfile) and builds the eBPF programs, the native addon and the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
# The unprivileged user the monitor continues as once capture is attached (capture.user).
if [ "$(id -u)" -eq 0 ] && ! getent passwd egresswatch >/dev/null; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin egresswatch
fi
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
