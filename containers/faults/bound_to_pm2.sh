#!/usr/bin/env bash
# Fault: production is bound to the PM2 daemon's unit and stops with it
# Breaks: phase1::survives_pm2_kill
set -euo pipefail
install -d /etc/systemd/system/alive-prod.service.d
printf '[Unit]\nBindsTo=pm2-root.service\nAfter=pm2-root.service\n' > /etc/systemd/system/alive-prod.service.d/50-pm2.conf
systemctl daemon-reload
