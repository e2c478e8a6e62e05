#!/usr/bin/env bash
# Fault: production logged an error, longer ago than the Phase 1 window but inside Phase 3's
# Breaks: phase3::no_error_spikes
# Age: phase1
set -euo pipefail
cg=$(systemctl show -p ControlGroup --value alive-prod.service)
for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
  [ -f "$root$cg/cgroup.procs" ] && break
done
# journald attributes a message to the unit whose cgroup the sender is in.
bash -c "echo \$\$ > '$root$cg/cgroup.procs'; exec logger -p user.err -t alive 'request handler crashed: TypeError'"
