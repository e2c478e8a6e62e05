#!/usr/bin/env bash
# Fault: the blue-green swap script is not executable
# Breaks: phase3::swap_script_executable, phase3::swap_under_load
set -euo pipefail
chmod 644 /srv/alive/prod/scripts/swap-blue-green.sh
