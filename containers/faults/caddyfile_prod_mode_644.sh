#!/usr/bin/env bash
# Fault: Caddyfile.prod has mode 644, which the plan's own script accepts
# Breaks: phase2::caddyfile_prod_readonly
set -euo pipefail
chmod 644 /etc/caddy/Caddyfile.prod
