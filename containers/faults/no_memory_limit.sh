#!/usr/bin/env bash
# Fault: MemoryMax removed from the running unit
# Breaks: phase1::resource_limits, phase1::memory_within_limit
set -euo pipefail
systemctl set-property --runtime alive-prod.service MemoryMax=infinity
