#!/usr/bin/env bash
# Fault: a quota event of production was logged longer ago than the Phase 1 window but inside Phase 3's
# Breaks: phase3::no_oom_or_quota_events
# Age: phase1
set -euo pipefail
# journalctl -u matches root's entries that name the unit in
# OBJECT_SYSTEMD_UNIT, as systemd's own messages about a unit do.
printf '%s\n' 'MESSAGE=worker throttled: CPU quota exhausted' 'PRIORITY=4' 'SYSLOG_IDENTIFIER=alive' \
  'OBJECT_SYSTEMD_UNIT=alive-prod.service' | logger --journald
