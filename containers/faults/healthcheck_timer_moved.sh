#!/usr/bin/env bash
# Fault: the health-check timer is loaded from /usr/local/lib/systemd/system, not /etc/systemd/system
# Breaks: phase2::healthcheck_units
set -euo pipefail
install -d /usr/local/lib/systemd/system
mv /etc/systemd/system/alive-prod-healthcheck.timer /usr/local/lib/systemd/system/
systemctl daemon-reload
systemctl reenable alive-prod-healthcheck.timer
