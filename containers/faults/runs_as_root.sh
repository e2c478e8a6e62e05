#!/usr/bin/env bash
# Fault: a drop-in makes production run as root
# Breaks: phase1::non_root
# Settle: yes
set -euo pipefail
install -d /etc/systemd/system/alive-prod.service.d
printf '[Service]\nUser=root\nGroup=root\n' > /etc/systemd/system/alive-prod.service.d/50-root.conf
systemctl daemon-reload
systemctl restart alive-prod.service
