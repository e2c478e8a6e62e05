#!/usr/bin/env bash
# Fault: /srv/alive/prod/scripts is a regular file, not a directory
# Breaks: phase1::directories
set -euo pipefail
rm -rf /srv/alive/prod/scripts
install -o alive-prod -g alive-prod -m 0644 /dev/null /srv/alive/prod/scripts
