#!/usr/bin/env bash
# Usage: build-production.sh [SOURCE_DIR]
#
# Builds production from SOURCE_DIR (default /srv/alive/prod/source) into the
# idle color: the one of /srv/alive/prod/builds/blue and .../green that
# /srv/alive/prod/current does not point to. The live color is never
# written. The new build goes live only when swap-blue-green.sh runs.
#
# Steps, each of which stops the script on failure:
#   1. Pre-build checks: the free disk space on the filesystem of
#      /srv/alive/prod must be at least MIN_FREE_DISK_MB (default 1024) and
#      MemAvailable in /proc/meminfo at least MIN_AVAILABLE_MEMORY_MB
#      (default 512). Both values are in MiB.
#   2. "bun install --frozen-lockfile" in SOURCE_DIR, as the owner of
#      SOURCE_DIR. It installs exactly the versions in bun.lock and fails if
#      package.json no longer matches bun.lock. When node_modules already
#      matches bun.lock, bun downloads nothing, so the step works offline.
#   3. Copies server.js, package.json, bun.lock and node_modules with a new
#      BUILD_ID into a temporary directory under builds/, checks that the
#      build's server.js loads as user alive-prod, and renames the directory
#      to the idle color.
#
# Runs as root or alive-prod, and the new build is owned by alive-prod. It
# holds a lock on the builds directory that swap-blue-green.sh also takes,
# so a build and a swap never overlap.
#
# Output: the color built (blue or green) on stdout. Progress, bun's output
# and errors go to stderr.
# Exit status: 0 if the idle color was built; 1 if the build failed, with
# builds/ and current unchanged; 2 on invalid usage; 3 if a pre-build check
# failed, before anything was changed.
set -euo pipefail

readonly PROD_ROOT=/srv/alive/prod
readonly BUILDS_DIR=$PROD_ROOT/builds
readonly CURRENT_LINK=$PROD_ROOT/current
readonly PROD_USER=alive-prod
readonly DEFAULT_SOURCE_DIR=$PROD_ROOT/source
# Files copied from SOURCE_DIR into a build, besides node_modules.
readonly BUILD_FILES=(server.js package.json bun.lock)
# Seconds to wait for a running build or swap to release the lock.
readonly LOCK_TIMEOUT=60

MIN_FREE_DISK_MB=${MIN_FREE_DISK_MB:-1024}
MIN_AVAILABLE_MEMORY_MB=${MIN_AVAILABLE_MEMORY_MB:-512}

usage() {
  echo "usage: build-production.sh [SOURCE_DIR] (default SOURCE_DIR: $DEFAULT_SOURCE_DIR)" >&2
}

log() {
  echo "build-production: $*" >&2
}

# Exit with status 2 unless $2, the value of the variable named $1, is a
# whole number.
require_whole_number() {
  if [[ ! "$2" =~ ^[0-9]{1,12}$ ]]; then
    log "invalid $1=\"$2\": expected a whole number of MiB"
    exit 2
  fi
}

check_disk_space() {
  local free_kib free_mb
  free_kib=$(df -P -k "$PROD_ROOT" | awk 'NR == 2 { print $4 }')
  if [[ ! "$free_kib" =~ ^[0-9]+$ ]]; then
    log "pre-build check failed: could not read the free disk space of $PROD_ROOT from df"
    return 1
  fi
  free_mb=$((free_kib / 1024))
  if [ "$free_mb" -lt "$MIN_FREE_DISK_MB" ]; then
    log "pre-build check failed: free disk space on the filesystem of $PROD_ROOT is $free_mb MiB, below MIN_FREE_DISK_MB=$MIN_FREE_DISK_MB"
    return 1
  fi
  log "disk space OK: $free_mb MiB free on the filesystem of $PROD_ROOT (minimum $MIN_FREE_DISK_MB MiB)"
}

# NOTE: in a container without lxcfs, /proc/meminfo describes the whole
# host, so this check reads the host's MemAvailable, not a container limit.
check_memory() {
  local available_mb
  available_mb=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo)
  if [[ ! "$available_mb" =~ ^[0-9]+$ ]]; then
    log "pre-build check failed: /proc/meminfo has no MemAvailable line"
    return 1
  fi
  if [ "$available_mb" -lt "$MIN_AVAILABLE_MEMORY_MB" ]; then
    log "pre-build check failed: available memory (MemAvailable) is $available_mb MiB, below MIN_AVAILABLE_MEMORY_MB=$MIN_AVAILABLE_MEMORY_MB"
    return 1
  fi
  log "memory OK: $available_mb MiB available (minimum $MIN_AVAILABLE_MEMORY_MB MiB)"
}

# Runs a command as the user that owns $SOURCE_DIR, so that files bun
# creates there keep the tree's owner. Only root can switch users, and
# alive-prod runs commands as itself.
run_as_source_owner() {
  if [ "$EUID" -eq 0 ] && [ "$source_owner" != root ]; then
    runuser -u "$source_owner" -- "$@"
  else
    "$@"
  fi
}

run_as_prod_user() {
  if [ "$EUID" -eq 0 ]; then
    runuser -u "$PROD_USER" -- "$@"
  else
    "$@"
  fi
}

# Prints the live color, read from the current symlink.
live_color() {
  local target
  if ! target=$(readlink "$CURRENT_LINK"); then
    log "$CURRENT_LINK is missing or not a symlink; create it with: ln -s builds/blue $CURRENT_LINK"
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

new_build_id() {
  printf '%s-%s\n' "$(date -u +%Y%m%dT%H%M%SZ)" "$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
}

# Removes the temporary build directory, bun cache and bun output file when
# the script exits.
# If it stops between the two renames at the end, the old idle build moves
# back into place.
staging_dir=
bun_cache_dir=
bun_output=
old_build_dir=
idle=
cleanup() {
  if [ -n "$old_build_dir" ] && [ -d "$old_build_dir" ] && [ ! -e "$BUILDS_DIR/$idle" ]; then
    mv -T "$old_build_dir" "$BUILDS_DIR/$idle" || log "failed to move $old_build_dir back to $BUILDS_DIR/$idle"
  fi
  if [ -n "$staging_dir" ] && [ -d "$staging_dir" ]; then
    rm -rf -- "$staging_dir"
  fi
  if [ -n "$bun_cache_dir" ] && [ -d "$bun_cache_dir" ]; then
    rm -rf -- "$bun_cache_dir"
  fi
  if [ -n "$bun_output" ]; then
    rm -f -- "$bun_output"
  fi
}
trap cleanup EXIT

# --- Arguments and caller ---------------------------------------------------

if [ $# -gt 1 ]; then
  usage
  exit 2
fi
if [ "${1-}" = -h ] || [ "${1-}" = --help ]; then
  usage
  exit 0
fi
source_arg=${1:-$DEFAULT_SOURCE_DIR}

caller=$(id -un)
if [ "$caller" != root ] && [ "$caller" != "$PROD_USER" ]; then
  log "must run as root or $PROD_USER, not $caller"
  exit 2
fi

require_whole_number MIN_FREE_DISK_MB "$MIN_FREE_DISK_MB"
require_whole_number MIN_AVAILABLE_MEMORY_MB "$MIN_AVAILABLE_MEMORY_MB"
MIN_FREE_DISK_MB=$((10#$MIN_FREE_DISK_MB))
MIN_AVAILABLE_MEMORY_MB=$((10#$MIN_AVAILABLE_MEMORY_MB))

if [ ! -d "$source_arg" ]; then
  log "source directory $source_arg not found"
  exit 2
fi
SOURCE_DIR=$(cd "$source_arg" && pwd -P)
for file in "${BUILD_FILES[@]}"; do
  if [ ! -f "$SOURCE_DIR/$file" ]; then
    log "$SOURCE_DIR/$file not found; a production source needs ${BUILD_FILES[*]}"
    exit 2
  fi
done
source_owner=$(stat -c %U "$SOURCE_DIR")

# --- 1. Pre-build checks ----------------------------------------------------

checks_failed=0
check_disk_space || checks_failed=1
check_memory || checks_failed=1
if [ "$checks_failed" -ne 0 ]; then
  log "pre-build checks failed; nothing was changed"
  exit 3
fi

exec 9<"$BUILDS_DIR"
if ! flock --timeout "$LOCK_TIMEOUT" 9; then
  log "another build or swap still holds the lock on $BUILDS_DIR after $LOCK_TIMEOUT s; nothing was changed"
  exit 1
fi

live=$(live_color) || exit 1
if [ "$live" = blue ]; then
  idle=green
else
  idle=blue
fi

# --- 2. Frozen-lockfile install ---------------------------------------------

# A cache of its own keeps bun from writing into the owner's home directory,
# and shows that nothing came from an earlier cache.
bun_cache_dir=$(mktemp -d /tmp/build-production-bun-cache.XXXXXX)
if [ "$EUID" -eq 0 ]; then
  chown "$source_owner" "$bun_cache_dir"
fi

log "running bun install --frozen-lockfile in $SOURCE_DIR as $source_owner"
bun_output=$(mktemp /tmp/build-production-bun-output.XXXXXX)
bun_status=0
(cd "$SOURCE_DIR" && run_as_source_owner env BUN_INSTALL_CACHE_DIR="$bun_cache_dir" \
  bun install --frozen-lockfile --no-progress) > "$bun_output" 2>&1 || bun_status=$?
cat "$bun_output" >&2
# bun resolves every dependency in package.json before it compares them with
# bun.lock. Without a registry, a new dependency from the registry therefore
# fails with a download error instead of the frozen-lockfile message.
if [ "$bun_status" -ne 0 ] && grep -q "lockfile had changes, but lockfile is frozen" "$bun_output"; then
  log "package.json in $SOURCE_DIR does not match its bun.lock: commit the updated bun.lock to the source repository and build again; builds/ and current are unchanged"
elif [ "$bun_status" -ne 0 ]; then
  log "bun install --frozen-lockfile failed in $SOURCE_DIR with exit status $bun_status (see bun's error above); builds/ and current are unchanged"
fi
if [ "$bun_status" -ne 0 ]; then
  exit 1
fi
if [ ! -d "$SOURCE_DIR/node_modules" ]; then
  log "bun install --frozen-lockfile left no node_modules in $SOURCE_DIR; builds/ and current are unchanged"
  exit 1
fi

# --- 3. Assemble the build and rename it to the idle color ------------------

staging_dir=$(mktemp -d "$BUILDS_DIR/.build-$idle.XXXXXX")
for file in "${BUILD_FILES[@]}"; do
  cp --preserve=mode,timestamps "$SOURCE_DIR/$file" "$staging_dir/"
done
cp -R --preserve=mode,timestamps "$SOURCE_DIR/node_modules" "$staging_dir/node_modules"
build_id=$(new_build_id)
printf '%s\n' "$build_id" > "$staging_dir/BUILD_ID"
chmod 0755 "$staging_dir"
chmod 0644 "$staging_dir/BUILD_ID"
if [ "$EUID" -eq 0 ]; then
  chown -R "$PROD_USER:$PROD_USER" "$staging_dir"
fi

# The same require() that the production server uses on a swap, run as
# the service's user: it fails on a syntax error, a missing dependency or a
# file that alive-prod cannot read.
if ! run_as_prod_user node -e '
  const build = require(process.argv[1]);
  if (typeof build.handleRequest !== "function") {
    throw new Error(`${process.argv[1]} does not export a handleRequest function`);
  }' "$staging_dir/server.js" >&2; then
  log "the new build's server.js does not load; builds/ and current are unchanged"
  exit 1
fi

# rename(2) cannot replace a non-empty directory, so the old idle build moves
# aside first. current does not point to the idle color, and the lock keeps
# swap-blue-green.sh out, so nothing reads builds/$idle in between.
if [ -e "$BUILDS_DIR/$idle" ]; then
  old_build_dir=$(mktemp -u "$BUILDS_DIR/.old-$idle.XXXXXX")
  mv -T "$BUILDS_DIR/$idle" "$old_build_dir"
fi
mv -T "$staging_dir" "$BUILDS_DIR/$idle"
staging_dir=
rm -rf -- "$old_build_dir"
old_build_dir=

log "built $idle (BUILD_ID $build_id) in $BUILDS_DIR/$idle from $SOURCE_DIR; $live stays live until swap-blue-green.sh runs"
echo "$idle"
