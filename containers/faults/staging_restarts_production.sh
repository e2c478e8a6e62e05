#!/usr/bin/env bash
# Fault: the staging deploy also takes production down for a few seconds
# Breaks: phase2::staging_deploy_no_reload, phase2::staging_deploys_no_alerts
set -euo pipefail
sed -i 's/^staging: build$/staging: build\n\tsystemctl stop alive-prod.service \&\& sleep 3 \&\& systemctl start alive-prod.service/' /root/alive/Makefile
grep -q 'systemctl stop alive-prod.service' /root/alive/Makefile
