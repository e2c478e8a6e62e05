#!/usr/bin/env bash
# Fault: production restarted twice, longer ago than the Phase 1 window but inside Phase 3's
# Breaks: phase3::no_unplanned_restarts
# Age: phase1
set -euo pipefail
systemctl restart alive-prod.service
systemctl restart alive-prod.service
