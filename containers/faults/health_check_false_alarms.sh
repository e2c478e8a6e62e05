#!/usr/bin/env bash
# Fault: every health-check run logs two errors although production is fine
# Breaks: phase2::no_false_alarms
# Age: phase1
set -euo pipefail
install -d /etc/systemd/system/alive-prod-healthcheck.service.d
printf '%s\n' '[Service]' "ExecStartPre=/bin/sh -c 'echo \"<3>disk check failed\" >&2; echo \"<3>disk check failed again\" >&2'" \
  > /etc/systemd/system/alive-prod-healthcheck.service.d/50-noise.conf
systemctl daemon-reload
