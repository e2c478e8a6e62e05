#!/usr/bin/env bash
# Fault: StartLimitBurst=1, so the next crash within a minute leaves production failed
# Breaks: phase1::restart_on_kill
set -euo pipefail
install -d /etc/systemd/system/alive-prod.service.d
printf '[Unit]\nStartLimitIntervalSec=1h\nStartLimitBurst=1\n' > /etc/systemd/system/alive-prod.service.d/50-start-limit.conf
systemctl daemon-reload
