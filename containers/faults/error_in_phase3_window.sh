#!/usr/bin/env bash
# Fault: an error about production was logged longer ago than the Phase 1 window but inside Phase 3's
# Breaks: phase3::no_error_spikes
# Age: phase1
set -euo pipefail
# journalctl -u matches root's entries that name the unit in
# OBJECT_SYSTEMD_UNIT, as systemd's own messages about a unit do.
printf '%s\n' 'MESSAGE=request handler crashed: TypeError' 'PRIORITY=3' 'SYSLOG_IDENTIFIER=alive' \
  'OBJECT_SYSTEMD_UNIT=alive-prod.service' | logger --journald
