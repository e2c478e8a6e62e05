#!/usr/bin/env bash
# Fault: production is stopped
# Breaks: phase1::active_running, phase1::http_health, phase1::no_pm2_production, phase1::resource_limits, phase1::non_root, phase1::memory_within_limit, phase1::stable_uptime, phase1::restart_on_kill, phase1::survives_pm2_kill
set -euo pipefail
systemctl stop alive-prod.service
