#!/usr/bin/env bash
# Fault: CPUQuota removed from the running unit
# Breaks: phase1::resource_limits
set -euo pipefail
systemctl set-property --runtime alive-prod.service CPUQuota=
