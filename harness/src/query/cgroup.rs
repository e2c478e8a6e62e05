//! Kernel cgroup values of a unit, for cgroup v1 (hybrid) and v2 hosts.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::check::{shell_quote, CheckContext, CheckError};

/// On cgroup v1, a memory limit at or above this many bytes means "none":
/// the kernel shows an unlimited cgroup as 9223372036854771712.
const V1_UNLIMITED_BYTES: u64 = 1 << 62;

/// The unit's memory and CPU values as the kernel enforces them.
#[derive(Debug, Clone)]
pub struct CgroupLimits {
    /// 1 or 2.
    pub version: u8,
    /// Memory limit in bytes; `None` when unlimited.
    pub memory_limit: Option<u64>,
    /// Memory in use now, in bytes.
    pub memory_usage: u64,
    /// Highest memory use seen, in bytes, where the kernel records it.
    pub memory_peak: Option<u64>,
    /// Processes the kernel's OOM killer ended in this cgroup.
    pub oom_kills: Option<u64>,
    /// CPU time allowed per second of wall time; `None` when unlimited.
    pub cpu_quota_per_sec: Option<Duration>,
}

/// The shell script behind [`limits`]; prints `key=value` lines.
const LIMITS_SCRIPT: &str = r#"
set -eu
cg="$1"
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  d="/sys/fs/cgroup$cg"
  limit=$(cat "$d/memory.max")
  usage=$(cat "$d/memory.current")
  peak=$(cat "$d/memory.peak" 2>/dev/null || true)
  oom=$(awk '$1=="oom_kill"{print $2}' "$d/memory.events")
  # cpu.max exists only while systemd enables the cpu controller for the
  # unit, which it does when the unit sets a CPU property.
  quota=; period=
  [ -f "$d/cpu.max" ] && read -r quota period < "$d/cpu.max"
  version=2
else
  m="/sys/fs/cgroup/memory$cg"
  c="/sys/fs/cgroup/cpu,cpuacct$cg"
  [ -d "$c" ] || c="/sys/fs/cgroup/cpu$cg"
  limit=$(cat "$m/memory.limit_in_bytes")
  usage=$(cat "$m/memory.usage_in_bytes")
  peak=$(cat "$m/memory.max_usage_in_bytes")
  oom=$(awk '$1=="oom_kill"{print $2}' "$m/memory.oom_control")
  # The unit has a cpu cgroup only while it sets a CPU property.
  quota=$(cat "$c/cpu.cfs_quota_us" 2>/dev/null || true)
  period=$(cat "$c/cpu.cfs_period_us" 2>/dev/null || true)
  version=1
fi
printf '%s\n' "version=$version" "memory_limit=$limit" "memory_usage=$usage" "memory_peak=$peak" \
  "oom_kills=$oom" "cpu_quota=$quota" "cpu_period=$period"
"#;

/// Reads the kernel's limits for `control_group`, a path such as
/// `/system.slice/alive-prod.service` (the unit's `ControlGroup`).
pub fn limits(ctx: &CheckContext, control_group: &str) -> Result<CgroupLimits, CheckError> {
    require_control_group(control_group)?;
    let script = format!(
        "bash -c {} _ {}",
        shell_quote(LIMITS_SCRIPT),
        shell_quote(control_group)
    );
    let output = ctx.query(&format!("kernel cgroup values of {control_group}"), &script)?;
    let values: BTreeMap<&str, &str> = output
        .stdout
        .lines()
        .filter_map(|line| line.split_once('='))
        .collect();
    let field = |key: &str| values.get(key).copied().unwrap_or("").trim().to_string();
    let number = |key: &str| -> Result<Option<u64>, CheckError> {
        let value = field(key);
        if value.is_empty() || value == "max" || value == "-1" {
            return Ok(None);
        }
        value.parse().map(Some).map_err(|_| CheckError::Parse {
            what: format!("cgroup value {key} of {control_group}"),
            detail: format!("`{value}` is not a number"),
        })
    };

    let version: u8 = if field("version") == "2" { 2 } else { 1 };
    let memory_limit = number("memory_limit")?.filter(|bytes| *bytes < V1_UNLIMITED_BYTES);
    let cpu_quota_per_sec = match (number("cpu_quota")?, number("cpu_period")?) {
        (Some(quota), Some(period)) if period > 0 => {
            Some(Duration::from_micros(quota * 1_000_000 / period))
        }
        _ => None,
    };
    Ok(CgroupLimits {
        version,
        memory_limit,
        memory_usage: number("memory_usage")?.unwrap_or(0),
        memory_peak: number("memory_peak")?,
        oom_kills: number("oom_kills")?,
        cpu_quota_per_sec,
    })
}

/// Fails unless `control_group` names a cgroup. systemd prints an empty
/// `ControlGroup` for a unit that is not running, and the empty path would
/// otherwise read the root cgroup: the whole host.
pub fn require_control_group(control_group: &str) -> Result<(), CheckError> {
    if control_group.is_empty() {
        return Err(crate::check::unmet(
            "the unit to have a control group",
            "ControlGroup is empty: the unit is not running",
        ));
    }
    Ok(())
}
