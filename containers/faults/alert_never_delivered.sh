#!/usr/bin/env bash
# Fault: the alert script reports success without sending anything
# Breaks: phase2::alert_on_outage, phase2::test_alert
set -euo pipefail
printf '#!/bin/sh\necho "alert sent"\n' > /srv/alive/prod/scripts/alert.sh
