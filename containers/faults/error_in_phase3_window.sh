#!/usr/bin/env bash
# Fault: production logged an error, longer ago than the Phase 1 window but inside Phase 3's
# Breaks: phase3::no_error_spikes
# Age: phase1
set -euo pipefail
pid=$(systemctl show -p MainPID --value alive-prod.service)
# Production's stdout is its journal stream, so the line is recorded as the
# unit's own, and journald reads the <N> prefix as its priority.
echo '<3>request handler crashed: TypeError' > "/proc/$pid/fd/1"
