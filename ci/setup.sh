#!/usr/bin/env bash
# Prepares a Debian or Ubuntu machine to run the suite: installs the Docker
# engine and debootstrap when they are missing, and starts dockerd when no
# daemon responds. It is safe to run again and changes nothing that works.
# Run as root (CI runners and the development machines run as root).
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }

apt_updated=no
apt_install() {
  if ! command -v apt-get >/dev/null; then
    log "error: $* missing and apt-get not found; install $* with this system's package manager"
    exit 1
  fi
  if [ "$apt_updated" = no ]; then
    apt-get update -qq
    apt_updated=yes
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ "$(id -u)" -ne 0 ]; then
  if docker info >/dev/null 2>&1; then
    log "not root, but a Docker daemon answers; nothing to set up"
    exit 0
  fi
  log "error: no Docker daemon answers and only root can install or start one; rerun as root"
  exit 1
fi

# The Docker engine, unless a daemon already responds (Docker Desktop, a
# CI service, or an earlier run).
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || apt_install docker.io
  command -v docker >/dev/null || apt_install docker.io
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    log "starting docker.service"
    systemctl start docker.service
  else
    log "starting dockerd in the background (log: /var/log/alive-suite-dockerd.log)"
    nohup dockerd >/var/log/alive-suite-dockerd.log 2>&1 &
  fi
  for attempt in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      break
    fi
    if [ "$attempt" -eq 60 ]; then
      log "error: dockerd did not answer within 60 s; see /var/log/alive-suite-dockerd.log"
      exit 1
    fi
    sleep 1
  done
fi
log "Docker $(docker info --format '{{.ServerVersion}}') responds"

# debootstrap builds the base image on machines that reach no image
# registry; it is small, so it is installed either way.
command -v debootstrap >/dev/null || apt_install debootstrap

log "ready"
