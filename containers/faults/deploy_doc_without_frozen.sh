#!/usr/bin/env bash
# Fault: DEPLOY.md no longer describes the frozen-lockfile build
# Breaks: phase3::deploy_doc
set -euo pipefail
sed -i 's/frozen-lockfile/locked install/g' /srv/alive/prod/docs/DEPLOY.md
