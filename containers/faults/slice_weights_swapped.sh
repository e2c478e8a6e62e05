#!/usr/bin/env bash
# Fault: staging's slice outweighs production's 50 to 1
# The slices' CPU and I/O weights are swapped, while staging keeps its
# memory limit. Production's p95 latency during a staging build rises to
# seconds.
# Breaks: phase3::separate_slices, phase3::staging_build_under_load
set -euo pipefail
for setting in alive-prod.slice:20 alive-staging.slice:1000; do
  slice=${setting%%:*}
  weight=${setting##*:}
  install -d "/etc/systemd/system/$slice.d"
  printf '[Slice]\nCPUWeight=%s\nIOWeight=%s\n' "$weight" "$weight" >"/etc/systemd/system/$slice.d/50-weight.conf"
done
systemctl daemon-reload
[ "$(systemctl show -p CPUWeight --value alive-staging.slice)" = 1000 ]
