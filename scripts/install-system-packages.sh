#!/usr/bin/env bash
# Installs the Debian packages egresswatch needs: to build and run it (no argument, or "run"), or
# also to run its tests and benchmarks ("test": real resolvers, Prometheus, Chromium, wrk…).
# Skips apt entirely when every package is already present, so repeated runs are fast.
set -euo pipefail

purpose="${1:-run}"
packages=(
  # build: BPF programs (clang -target bpf, CO-RE), the libbpf addon, vmlinux.h
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make g++ python3
  # runtime of capture: tracefs mount
  procps
)
case "$purpose" in
  run) ;;
  test) packages+=(
    # namespaces and firewall rules of test networks
    iproute2 iptables
    # real peers for tests and benchmarks
    dnsutils dnsperf unbound tcpdump tshark
    prometheus prometheus-alertmanager prometheus-blackbox-exporter
    chromium wrk openssl systemd
    # the container image test: a Debian root from packages, and a builder
    buildah mmdebstrap dpkg-repack
  ) ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all ${#packages[@]} present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "system packages missing (${missing[*]}); run this script as root to install them" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# Packaged daemons (unbound, prometheus…) must not start on install: tests start their own.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
echo "system packages: installing ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${#missing[@]}"
