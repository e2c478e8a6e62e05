#!/usr/bin/env bash
# Fault: PM2 and its staging apps run in production's slice
# Breaks: phase3::separate_slices, phase3::staging_build_under_load
set -euo pipefail
install -d /etc/systemd/system/pm2-root.service.d
printf '[Service]\nSlice=alive-prod.slice\n' > /etc/systemd/system/pm2-root.service.d/50-slice.conf
systemctl daemon-reload
systemctl restart pm2-root.service
