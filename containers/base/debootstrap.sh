#!/usr/bin/env bash
# Build a Debian bookworm minbase root filesystem with debootstrap and import
# it as a Docker image, for hosts that cannot pull from an image registry.
#
# Usage: debootstrap.sh TAG
#
# The Debian mirror is read from the host's APT sources (one-line *.list files
# and deb822 *.sources files under /etc/apt). Set DEBIAN_MIRROR to a mirror URL
# to skip that lookup. Needs root, debootstrap and a running Docker engine.
set -euo pipefail

readonly SUITE=bookworm
readonly INCLUDE_PACKAGES=systemd,systemd-sysv,dbus,ca-certificates

log() {
    printf 'debootstrap.sh: %s\n' "$*" >&2
}

die() {
    log "error: $*"
    exit 1
}

# Print one "URI SUITE" line for every enabled binary ("deb") source entry in
# the host's APT configuration, in the order APT reads the files.
list_apt_sources() {
    local file

    shopt -s nullglob
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$file" ]] || continue
        # One-line format: deb [option=value ...] URI SUITE COMPONENT...
        awk '
            /^[[:space:]]*#/ { next }
            $1 != "deb" { next }
            {
                uri_field = 2
                if ($uri_field ~ /^\[/) {
                    while (uri_field <= NF && $uri_field !~ /\]$/) uri_field++
                    uri_field++
                }
                if (uri_field + 1 <= NF) print $uri_field, $(uri_field + 1)
            }
        ' "$file"
    done

    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$file" ]] || continue
        # deb822 format: stanzas separated by blank lines, with the fields
        # Types, URIs, Suites and an optional Enabled.
        awk '
            function flush(    uri_index, suite_index, uri_count, suite_count, uri_list, suite_list) {
                if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                    uri_count = split(uris, uri_list, " ")
                    suite_count = split(suites, suite_list, " ")
                    for (uri_index = 1; uri_index <= uri_count; uri_index++)
                        for (suite_index = 1; suite_index <= suite_count; suite_index++)
                            print uri_list[uri_index], suite_list[suite_index]
                }
                types = uris = suites = ""
                enabled = "yes"
            }
            BEGIN { enabled = "yes" }
            /^[[:space:]]*#/ { next }
            /^[[:space:]]*$/ { flush(); next }
            {
                field = tolower($1)
                sub(/:$/, "", field)
                value = $0
                sub(/^[^:]*:[[:space:]]*/, "", value)
                if (field == "types") types = value
                else if (field == "uris") uris = value
                else if (field == "suites") suites = value
                else if (field == "enabled") enabled = tolower(value)
            }
            END { flush() }
        ' "$file"
    done
}

# Print the mirror URI of the first source that serves SUITE. If none does,
# fall back to the first URI whose path ends in /debian.
find_mirror() {
    local sources="$1"
    local mirror

    mirror=$(awk -v suite="$SUITE" '$2 == suite { print $1; exit }' <<<"$sources")
    if [[ -z "$mirror" ]]; then
        mirror=$(awk '$1 ~ /\/debian\/?$/ { print $1; exit }' <<<"$sources")
    fi
    printf '%s\n' "${mirror%/}"
}

# Print the URI of the first source that serves SUITE-security, if any.
find_security_mirror() {
    local sources="$1"
    local mirror

    mirror=$(awk -v suite="$SUITE-security" '$2 == suite { print $1; exit }' <<<"$sources")
    printf '%s\n' "${mirror%/}"
}

# Delete the work directory. debootstrap mounts /proc and /sys in the chroot
# and a failed run can leave them mounted, so unmount those first.
cleanup() {
    local mount_point

    [[ -n "${work_dir:-}" && -d "$work_dir" ]] || return 0
    while read -r mount_point; do
        umount -l "$mount_point" 2>/dev/null || log "warning: failed to unmount $mount_point"
    done < <(awk -v dir="$work_dir/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r)
    rm -rf --one-file-system "$work_dir"
}

main() {
    if [[ $# -ne 1 || -z "$1" ]]; then
        die "usage: $0 TAG (for example alive-suite/debian-base:bookworm)"
    fi
    local tag="$1"

    [[ $EUID -eq 0 ]] || die "debootstrap needs root. Run this script as root."
    command -v debootstrap >/dev/null || die "debootstrap not found. Install it with: apt-get install debootstrap"
    command -v docker >/dev/null || die "docker not found"
    docker info >/dev/null 2>&1 || die "the Docker engine is not reachable. Check that dockerd is running."

    local sources mirror security_mirror
    sources=$(list_apt_sources)
    mirror="${DEBIAN_MIRROR:-$(find_mirror "$sources")}"
    mirror="${mirror%/}"
    if [[ -z "$mirror" ]]; then
        die "no Debian mirror found in /etc/apt/sources.list, /etc/apt/sources.list.d/*.list or /etc/apt/sources.list.d/*.sources. Set DEBIAN_MIRROR to a mirror URL."
    fi
    security_mirror=$(find_security_mirror "$sources")
    log "using mirror $mirror for $SUITE"

    work_dir=$(mktemp -d /tmp/alive-debootstrap.XXXXXX)
    trap cleanup EXIT
    local rootfs="$work_dir/rootfs"

    log "running debootstrap into $rootfs"
    debootstrap --variant=minbase --include="$INCLUDE_PACKAGES" \
        "$SUITE" "$rootfs" "$mirror" >&2

    # The image uses the same mirror as the host, with the updates suite and
    # the security suite when the host lists one.
    {
        printf 'deb %s %s main\n' "$mirror" "$SUITE"
        printf 'deb %s %s-updates main\n' "$mirror" "$SUITE"
        if [[ -n "$security_mirror" ]]; then
            printf 'deb %s %s-security main\n' "$security_mirror" "$SUITE"
        fi
    } >"$rootfs/etc/apt/sources.list"

    # An empty machine-id makes systemd generate a new one in each container.
    : >"$rootfs/etc/machine-id"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log

    log "importing $rootfs as $tag"
    tar -C "$rootfs" --numeric-owner -c . |
        docker import --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
    log "built image $tag"
}

main "$@"
