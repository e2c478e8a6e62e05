#!/usr/bin/env bash
# Fault: /srv/alive/prod/source belongs to root
# Breaks: phase1::ownership
set -euo pipefail
chown root:root /srv/alive/prod/source
