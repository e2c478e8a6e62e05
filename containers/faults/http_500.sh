#!/usr/bin/env bash
# Fault: the live build returns HTTP 500 for every request
# Breaks: phase1::http_health, phase1::restart_on_kill, phase1::survives_pm2_kill
# Settle: yes
set -euo pipefail
live=/srv/alive/prod/current/server.js
sed -i "s/response.writeHead(200, { 'Content-Type': 'text\/plain' });/response.writeHead(500, { 'Content-Type': 'text\/plain' });/" "$live"
grep -q 'writeHead(500' "$live"
systemctl restart alive-prod.service
