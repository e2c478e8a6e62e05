#!/usr/bin/env bash
# Fault: the unit is disabled and would not start at boot
# Breaks: phase1::enabled
set -euo pipefail
systemctl disable alive-prod.service
