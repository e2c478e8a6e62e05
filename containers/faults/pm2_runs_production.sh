#!/usr/bin/env bash
# Fault: PM2 still runs a production instance named "alive"
# Breaks: phase1::no_pm2_production
set -euo pipefail
export PM2_HOME=/root/.pm2 HOME=/root
PORT=9100 pm2 start /root/alive/server.js --name alive
