#!/usr/bin/env bash
# Fault: Restart=no, so systemd leaves production down after a crash
# Breaks: phase1::restart_on_kill
set -euo pipefail
install -d /etc/systemd/system/alive-prod.service.d
printf '[Service]\nRestart=no\n' > /etc/systemd/system/alive-prod.service.d/50-no-restart.conf
systemctl daemon-reload
