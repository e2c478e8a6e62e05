#!/usr/bin/env bash
# Fault: production logged a quota event, longer ago than the Phase 1 window but inside Phase 3's
# Breaks: phase3::no_oom_or_quota_events
# Age: phase1
set -euo pipefail
pid=$(systemctl show -p MainPID --value alive-prod.service)
# Production's stdout is its journal stream, so the line is recorded as the
# unit's own, and journald reads the <N> prefix as its priority.
echo '<4>worker throttled: CPU quota exhausted' > "/proc/$pid/fd/1"
