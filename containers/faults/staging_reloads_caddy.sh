#!/usr/bin/env bash
# Fault: the staging deploy reloads Caddy, production's configuration included
# Breaks: phase2::staging_deploy_no_reload
set -euo pipefail
sed -i 's/^staging: build$/staging: build\n\tsystemctl reload caddy.service/' /root/alive/Makefile
grep -q 'systemctl reload caddy.service' /root/alive/Makefile
