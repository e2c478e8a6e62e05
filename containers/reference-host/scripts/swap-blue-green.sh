#!/usr/bin/env bash
# Usage: swap-blue-green.sh
#
# Makes the idle color (the one of /srv/alive/prod/builds/blue and .../green
# that /srv/alive/prod/current does not point to) live, without a restart
# and without failing a request. Running it again swaps back, which is the
# rollback.
#
# Steps:
#   1. Checks that the idle build exists and that its server.js loads as
#      user alive-prod.
#   2. Repoints current at the idle color in one rename(2), so a reader sees
#      either the old or the new target.
#   3. "systemctl reload alive-prod" sends SIGHUP. The server keeps its
#      process, listening socket and keep-alive connections and loads the
#      request handler from the new real path of current.
#   4. Polls GET /health on 127.0.0.1:9000 until it reports the new color.
#      After SWAP_TIMEOUT_SECONDS (default 10) without that, it points
#      current back at the old color, reloads again and fails.
#
# Runs as root, because systemctl reload needs root. It holds a lock on the
# builds directory that build-production.sh also takes.
#
# Output: the color that is live afterwards on stdout. Progress and errors
# go to stderr.
# Exit status: 0 if the idle color is live; 1 if the swap failed (current
# points at the old color again); 2 on invalid usage.
set -euo pipefail

readonly PROD_ROOT=/srv/alive/prod
readonly BUILDS_DIR=$PROD_ROOT/builds
readonly CURRENT_LINK=$PROD_ROOT/current
readonly PROD_USER=alive-prod
readonly UNIT=alive-prod.service
readonly HEALTH_URL=http://127.0.0.1:9000/health
# Seconds to wait for a running build or swap to release the lock.
readonly LOCK_TIMEOUT=60

SWAP_TIMEOUT_SECONDS=${SWAP_TIMEOUT_SECONDS:-10}

log() {
  echo "swap-blue-green: $*" >&2
}

# Prints the live color, read from the current symlink.
live_color() {
  local target
  if ! target=$(readlink "$CURRENT_LINK"); then
    log "$CURRENT_LINK is missing or not a symlink"
    return 1
  fi
  case "${target%/}" in
    builds/blue | "$BUILDS_DIR/blue") echo blue ;;
    builds/green | "$BUILDS_DIR/green") echo green ;;
    *)
      log "$CURRENT_LINK points to \"$target\", expected builds/blue or builds/green"
      return 1
      ;;
  esac
}

# Points current at builds/$1: the new symlink is made under a temporary
# name and renamed over current.
point_current() {
  local temporary_link=$PROD_ROOT/.current.$$
  ln -sfn "builds/$1" "$temporary_link"
  chown -h "$PROD_USER:$PROD_USER" "$temporary_link"
  mv -Tf "$temporary_link" "$CURRENT_LINK"
}

# Prints the JSON body of GET /health, or nothing if the request fails.
read_health() {
  curl -fsS --max-time 1 "$HEALTH_URL" 2>/dev/null || true
}

# Polls /health until it reports build $1 or SWAP_TIMEOUT_SECONDS pass.
wait_for_build() {
  local deadline=$((SECONDS + SWAP_TIMEOUT_SECONDS)) body
  while :; do
    body=$(read_health)
    # server.js writes the body with JSON.stringify, which puts no spaces
    # between a key and its value.
    if [[ "$body" == *"\"build\":\"$1\""* ]]; then
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "GET $HEALTH_URL did not report build $1 within $SWAP_TIMEOUT_SECONDS s; last body: ${body:-<no response>}"
      return 1
    fi
    sleep 0.1
  done
}

if [ $# -gt 0 ]; then
  if [ "$1" = -h ] || [ "$1" = --help ]; then
    echo "usage: swap-blue-green.sh (no arguments)" >&2
    exit 0
  fi
  echo "usage: swap-blue-green.sh (no arguments)" >&2
  exit 2
fi
if [ "$EUID" -ne 0 ]; then
  log "must run as root, because systemctl reload $UNIT needs root"
  exit 2
fi
if [[ ! "$SWAP_TIMEOUT_SECONDS" =~ ^[0-9]{1,6}$ ]] || [ "$SWAP_TIMEOUT_SECONDS" -eq 0 ]; then
  log "invalid SWAP_TIMEOUT_SECONDS=\"$SWAP_TIMEOUT_SECONDS\": expected a whole number of seconds above 0"
  exit 2
fi
SWAP_TIMEOUT_SECONDS=$((10#$SWAP_TIMEOUT_SECONDS))

exec 9<"$BUILDS_DIR"
if ! flock --timeout "$LOCK_TIMEOUT" 9; then
  log "another build or swap still holds the lock on $BUILDS_DIR after $LOCK_TIMEOUT s; nothing was changed"
  exit 1
fi

# --- 1. Checks before the swap ----------------------------------------------

live=$(live_color) || exit 1
if [ "$live" = blue ]; then
  idle=green
else
  idle=blue
fi

if [ ! -f "$BUILDS_DIR/$idle/server.js" ]; then
  log "the idle build $BUILDS_DIR/$idle has no server.js; build it with build-production.sh first"
  exit 1
fi
if ! systemctl is-active --quiet "$UNIT"; then
  log "$UNIT is not active, so there is no running server to swap; start it with systemctl start $UNIT"
  exit 1
fi
if ! runuser -u "$PROD_USER" -- node -e '
  const build = require(process.argv[1]);
  if (typeof build.handleRequest !== "function") {
    throw new Error(`${process.argv[1]} does not export a handleRequest function`);
  }' "$BUILDS_DIR/$idle/server.js" >&2; then
  log "$BUILDS_DIR/$idle/server.js does not load as $PROD_USER; nothing was changed"
  exit 1
fi

main_pid_before=$(systemctl show -P MainPID "$UNIT")
log "live: $live, serving $(read_health | tr -d '\n'); switching to $idle (MainPID $main_pid_before)"

# --- 2 to 4. Repoint current, reload, wait for the new color ----------------

point_current "$idle"
if ! systemctl reload "$UNIT"; then
  log "systemctl reload $UNIT failed"
elif wait_for_build "$idle"; then
  main_pid_after=$(systemctl show -P MainPID "$UNIT")
  if [ "$main_pid_after" != "$main_pid_before" ]; then
    log "warning: $UNIT changed MainPID from $main_pid_before to $main_pid_after during the swap, so it restarted; see journalctl -u $UNIT"
  fi
  log "$idle is live: $(read_health | tr -d '\n')"
  echo "$idle"
  exit 0
fi

log "rolling back: pointing $CURRENT_LINK at builds/$live and reloading $UNIT"
point_current "$live"
if ! systemctl reload "$UNIT" || ! wait_for_build "$live"; then
  log "production does not report build $live after the rollback; check journalctl -u $UNIT"
fi
exit 1
