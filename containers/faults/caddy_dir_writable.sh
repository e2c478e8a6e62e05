#!/usr/bin/env bash
# Fault: /etc/caddy is world-writable, so any user can replace the 444 file
# Breaks: phase2::caddyfile_prod_readonly
set -euo pipefail
chmod 777 /etc/caddy
