#!/usr/bin/env bash
# Fault: the unit is loaded from /usr/local/lib/systemd/system, not /etc/systemd/system
# Breaks: phase1::unit_file
set -euo pipefail
install -d /usr/local/lib/systemd/system
mv /etc/systemd/system/alive-prod.service /usr/local/lib/systemd/system/
systemctl daemon-reload
systemctl reenable alive-prod.service
