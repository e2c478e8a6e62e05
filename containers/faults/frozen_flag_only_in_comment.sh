#!/usr/bin/env bash
# Fault: --frozen-lockfile appears only in a comment; the install ignores the lockfile
# Breaks: phase3::frozen_lockfile_enforced
set -euo pipefail
script=/srv/alive/prod/scripts/build-production.sh
sed -i 's/bun install --frozen-lockfile --no-progress/bun install --no-progress/' "$script"
grep -q 'bun install --no-progress' "$script"
grep -q 'frozen-lockfile' "$script"
