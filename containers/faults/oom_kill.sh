#!/usr/bin/env bash
# Fault: a process of the unit outgrows MemoryMax and the OOM killer ends it
# Breaks: phase1::no_oom_kills
set -euo pipefail
cg=$(systemctl show -p ControlGroup --value alive-prod.service)
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  dir=/sys/fs/cgroup$cg
  kills() { awk '$1=="oom_kill"{print $2}' "$dir/memory.events"; }
else
  dir=/sys/fs/cgroup/memory$cg
  kills() { awk '$1=="oom_kill"{print $2}' "$dir/memory.oom_control"; }
fi
before=$(kills)
# A root shell joins the cgroup, then becomes alive-prod and allocates without bound.
bash -c "echo \$\$ > '$dir/cgroup.procs'; exec setpriv --reuid=alive-prod --regid=alive-prod --clear-groups \
  node -e 'const b = []; for (;;) b.push(Buffer.alloc(1 << 20, 1))'" >/dev/null 2>&1 || true
for _ in $(seq 100); do
  [ "$(kills)" -gt "$before" ] && exit 0
  sleep 0.1
done
echo "the OOM killer did not act in $cg (oom_kill stayed $before)" >&2
exit 1
