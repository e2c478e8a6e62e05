#!/usr/bin/env bash
# Fault: the production build installs without --frozen-lockfile
# Breaks: phase3::frozen_lockfile_declared, phase3::frozen_lockfile_enforced
set -euo pipefail
script=/srv/alive/prod/scripts/build-production.sh
sed -i 's/ --frozen-lockfile//g; s/frozen-lockfile/lockfile/g' "$script"
! grep -q frozen-lockfile "$script"
