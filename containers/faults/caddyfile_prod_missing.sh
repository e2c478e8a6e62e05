#!/usr/bin/env bash
# Fault: /etc/caddy/Caddyfile.prod is gone; the running Caddy keeps its old configuration
# Breaks: phase2::caddyfiles_present, phase2::caddy_imports, phase2::caddyfile_prod_readonly
set -euo pipefail
rm /etc/caddy/Caddyfile.prod
