#!/usr/bin/env bash
# Fault: the health-check script treats a failed probe as a success
# Breaks: phase2::outage_detection, phase2::alert_on_outage
set -euo pipefail
script=/srv/alive/prod/scripts/health-check.sh
sed -i 's|-o /dev/null "$HEALTH_URL" 2>&1); then|-o /dev/null "$HEALTH_URL" 2>\&1 \|\| true); then|' "$script"
grep -q '|| true); then' "$script"
