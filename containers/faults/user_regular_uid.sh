#!/usr/bin/env bash
# Fault: alive-prod is a regular user (UID 1500) instead of a system user
# Breaks: phase1::system_user
# Settle: yes
set -euo pipefail
systemctl stop alive-prod.service
# usermod also moves the files in the home directory (/srv/alive/prod) to the new UID.
usermod --uid 1500 alive-prod
systemctl start alive-prod.service
