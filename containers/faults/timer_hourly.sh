#!/usr/bin/env bash
# Fault: the health check runs hourly instead of every interval
# Breaks: phase2::timer_every_minute, phase2::outage_detection, phase2::alert_on_outage, phase2::staging_deploys_no_alerts
set -euo pipefail
install -d /etc/systemd/system/alive-prod-healthcheck.timer.d
printf '[Timer]\nOnUnitActiveSec=\nOnUnitActiveSec=1h\n' > /etc/systemd/system/alive-prod-healthcheck.timer.d/50-hourly.conf
systemctl daemon-reload
