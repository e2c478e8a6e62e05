#!/usr/bin/env bash
# Fault: every failure from the third on sends another alert
# Breaks: phase2::alert_on_outage
set -euo pipefail
script=/srv/alive/prod/scripts/health-check.sh
sed -i 's/if \[ "$failures" -eq "$ALERT_THRESHOLD" \]; then/if [ "$failures" -ge "$ALERT_THRESHOLD" ]; then/' "$script"
grep -q -- '-ge "$ALERT_THRESHOLD"' "$script"
