#!/usr/bin/env bash
# Fault: the swap restarts production instead of reloading it, dropping requests
# Breaks: phase3::swap_under_load
set -euo pipefail
script=/srv/alive/prod/scripts/swap-blue-green.sh
sed -i 's/systemctl reload "$UNIT"/systemctl restart "$UNIT"/g' "$script"
grep -q 'systemctl restart "$UNIT"' "$script"
