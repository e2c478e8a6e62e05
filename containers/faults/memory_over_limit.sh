#!/usr/bin/env bash
# Fault: the kernel's memory limit is lifted behind systemd's back and a
# process of the unit grows past MemoryMax (256M)
# Breaks: phase1::resource_limits, phase1::memory_within_limit
set -euo pipefail
cg=$(systemctl show -p ControlGroup --value alive-prod.service)
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  dir=/sys/fs/cgroup$cg
  echo max > "$dir/memory.max"
  usage() { cat "$dir/memory.current"; }
else
  dir=/sys/fs/cgroup/memory$cg
  echo -1 > "$dir/memory.limit_in_bytes"
  usage() { cat "$dir/memory.usage_in_bytes"; }
fi
# A root shell joins the cgroup, then becomes alive-prod and keeps 320 MiB allocated.
nohup bash -c "echo \$\$ > '$dir/cgroup.procs'; exec setpriv --reuid=alive-prod --regid=alive-prod --clear-groups \
  node -e 'const b = []; for (let i = 0; i < 320; i++) b.push(Buffer.alloc(1 << 20, 1)); setInterval(() => b.length, 1000)'" \
  >/dev/null 2>&1 &
for _ in $(seq 200); do
  [ "$(usage)" -gt $((300 * 1024 * 1024)) ] && exit 0
  sleep 0.1
done
echo "memory use of $cg did not pass 300 MiB: $(usage) bytes" >&2
exit 1
