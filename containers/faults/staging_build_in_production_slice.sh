#!/usr/bin/env bash
# Fault: staging build jobs run in production's slice
# Breaks: phase3::staging_build_under_load
set -euo pipefail
sed -i 's/^readonly SLICE=alive-staging.slice$/readonly SLICE=alive-prod.slice/' /usr/local/bin/alive-staging-run
grep -q '^readonly SLICE=alive-prod.slice$' /usr/local/bin/alive-staging-run
