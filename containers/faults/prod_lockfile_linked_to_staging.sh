#!/usr/bin/env bash
# Fault: production's lockfile is a link to staging's, so staging installs rewrite it
# Breaks: phase3::staging_install_isolated
set -euo pipefail
ln -sf /root/alive/bun.lock /srv/alive/prod/source/bun.lock
