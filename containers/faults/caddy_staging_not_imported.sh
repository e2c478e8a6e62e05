#!/usr/bin/env bash
# Fault: the main Caddyfile no longer imports the staging file
# Breaks: phase2::caddy_imports
set -euo pipefail
sed -i '\|^import /etc/caddy/Caddyfile.staging|d' /etc/caddy/Caddyfile
