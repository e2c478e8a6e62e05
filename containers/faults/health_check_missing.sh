#!/usr/bin/env bash
# Fault: the health-check script is not executable
# Breaks: phase2::health_script, phase2::outage_detection, phase2::alert_on_outage, phase2::staging_deploys_no_alerts
set -euo pipefail
chmod 644 /srv/alive/prod/scripts/health-check.sh
