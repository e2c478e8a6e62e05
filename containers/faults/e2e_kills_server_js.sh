#!/usr/bin/env bash
# Fault: the staging tests clean up with `pkill -9 -f server.js`, which also matches production
# Breaks: phase3::staging_e2e_isolated
set -euo pipefail
cd /root/alive
sed -i 's|"test:e2e": "|"test:e2e": "pkill -9 -f server.js; |' package.json
grep -q 'pkill -9 -f server.js' package.json
