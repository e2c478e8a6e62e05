#!/usr/bin/env bash
# Fault: production restarted four times within the window
# Breaks: phase1::stable_uptime, phase1::restart_count
set -euo pipefail
for _ in 1 2 3 4; do
  systemctl restart alive-prod.service
done
