#!/usr/bin/env bash
# Fault: the health-check timer is stopped
# Breaks: phase2::timer_active, phase2::timer_every_minute, phase2::observation_window, phase2::outage_detection, phase2::alert_on_outage, phase2::staging_deploys_no_alerts
set -euo pipefail
systemctl stop alive-prod-healthcheck.timer
