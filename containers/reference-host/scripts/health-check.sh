#!/usr/bin/env bash
# Probes production once and counts consecutive failures in
# /tmp/prod-health-failures. alive-prod-healthcheck.timer runs it.
#
# Output goes to the journal: "Health OK" on stdout, failures on stderr with a
# "<N>" syslog priority prefix that journald stores as the entry's priority.
# The third consecutive failure sends one alert through alert.sh. Later
# failures send none until a success resets the counter to 0.
# Exit status: 0 if production returned a 2xx status, 1 otherwise.
set -uo pipefail

readonly HEALTH_URL=http://127.0.0.1:9000/
readonly COUNTER_FILE=/tmp/prod-health-failures
readonly ALERT_THRESHOLD=3
readonly ALERT_SCRIPT=/srv/alive/prod/scripts/alert.sh
readonly ALERT_MESSAGE="alive-prod.service is down: health check failed $ALERT_THRESHOLD consecutive times"

# Print the stored failure count. A missing file counts as 0, and so does
# content that is not a number, with a warning.
read_counter() {
  local value=
  if [ -e "$COUNTER_FILE" ]; then
    value=$(head -c 32 "$COUNTER_FILE" | tr -d '[:space:]')
  fi
  if [ -z "$value" ]; then
    echo 0
  elif [[ "$value" =~ ^[0-9]{1,9}$ ]]; then
    echo $((10#$value))
  else
    echo "<4>invalid failure count in $COUNTER_FILE, counting from 0" >&2
    echo 0
  fi
}

# Replace the counter file with a temporary file and a rename, so that a
# reader never sees a partly written number.
write_counter() {
  local tmp
  tmp=$(mktemp "$COUNTER_FILE.XXXXXX") || return 1
  if printf '%s\n' "$1" > "$tmp" && chmod 0644 "$tmp" && mv -f "$tmp" "$COUNTER_FILE"; then
    return 0
  fi
  rm -f "$tmp"
  return 1
}

if curl_error=$(curl -fsS --max-time 5 -o /dev/null "$HEALTH_URL" 2>&1); then
  if ! write_counter 0; then
    echo "<3>failed to reset the failure count in $COUNTER_FILE" >&2
    exit 1
  fi
  echo "Health OK"
  exit 0
fi

failures=$(( $(read_counter) + 1 ))
echo "<4>GET $HEALTH_URL failed: $curl_error" >&2
if ! write_counter "$failures"; then
  echo "<3>failed to write the failure count $failures to $COUNTER_FILE" >&2
fi
echo "<3>Health check failed ($failures consecutive failures)" >&2

# NOTE: the alert is tried once, at exactly the threshold. If alert.sh fails
# then, no alert follows until a success resets the count and production
# fails again.
if [ "$failures" -eq "$ALERT_THRESHOLD" ]; then
  if ! "$ALERT_SCRIPT" "$ALERT_MESSAGE"; then
    echo "<3>failed to send the alert for $failures consecutive failures" >&2
  fi
fi
exit 1
