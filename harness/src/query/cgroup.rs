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
cg="$1"
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  d="/sys/fs/cgroup$cg"
  echo version=2
  echo memory_limit="$(cat "$d/memory.max")"
  echo memory_usage="$(cat "$d/memory.current")"
  echo memory_peak="$(cat "$d/memory.peak" 2>/dev/null)"
  echo oom_kills="$(awk '$1=="oom_kill"{print $2}' "$d/memory.events")"
  read -r quota period < "$d/cpu.max"
  echo cpu_quota="$quota"
  echo cpu_period="$period"
else
  m="/sys/fs/cgroup/memory$cg"
  c="/sys/fs/cgroup/cpu,cpuacct$cg"
  [ -d "$c" ] || c="/sys/fs/cgroup/cpu$cg"
  echo version=1
  echo memory_limit="$(cat "$m/memory.limit_in_bytes")"
  echo memory_usage="$(cat "$m/memory.usage_in_bytes")"
  echo memory_peak="$(cat "$m/memory.max_usage_in_bytes")"
  echo oom_kills="$(awk '$1=="oom_kill"{print $2}' "$m/memory.oom_control")"
  echo cpu_quota="$(cat "$c/cpu.cfs_quota_us")"
  echo cpu_period="$(cat "$c/cpu.cfs_period_us")"
fi
"#;

/// Reads the kernel's limits for `control_group`, a path such as
/// `/system.slice/alive-prod.service` (the unit's `ControlGroup`).
pub fn limits(ctx: &CheckContext, control_group: &str) -> Result<CgroupLimits, CheckError> {
    let script = format!(
        "set -e; bash -c {} _ {}",
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
