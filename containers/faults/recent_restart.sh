#!/usr/bin/env bash
# Fault: production restarted a moment ago, so it has not run for its window
# Breaks: phase1::stable_uptime
set -euo pipefail
systemctl restart alive-prod.service
