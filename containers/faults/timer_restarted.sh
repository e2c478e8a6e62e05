#!/usr/bin/env bash
# Fault: the health-check timer was restarted a moment ago, inside the Phase 2 window
# Breaks: phase2::observation_window
set -euo pipefail
systemctl restart alive-prod-healthcheck.timer
