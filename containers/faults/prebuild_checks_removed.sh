#!/usr/bin/env bash
# Fault: the build script has no pre-build checks at all
# Breaks: phase3::prebuild_checks_declared, phase3::prebuild_checks_enforced
set -euo pipefail
script=/srv/alive/prod/scripts/build-production.sh
sed -i '/^check_disk_space || checks_failed=1$/d; /^check_memory || checks_failed=1$/d' "$script"
sed -i 's/check_disk_space/verify_free_blocks/g; s/check_memory/verify_ram/g; s/[Cc]heck.*[Dd]isk.*[Ss]pace/free blocks/g; s/[Cc]heck.*[Mm]emory/ram/g' "$script"
! grep -q 'check.*disk.*space' "$script"
! grep -q 'check.*memory' "$script"
