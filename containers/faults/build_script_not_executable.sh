#!/usr/bin/env bash
# Fault: the production build script is not executable
# Breaks: phase3::build_script_executable, phase3::frozen_lockfile_enforced, phase3::prebuild_checks_enforced
set -euo pipefail
chmod 644 /srv/alive/prod/scripts/build-production.sh
