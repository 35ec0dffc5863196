#!/usr/bin/env bash
# Installs everything egresswatch needs on Debian 12 (system packages through apt, npm packages
# through the lockfile) and builds the eBPF programs, the native addon and the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
