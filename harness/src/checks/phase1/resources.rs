//! Resource limits as the kernel enforces them, process owners, memory use
//! and OOM kills.

use std::time::Duration;

use crate::check::{unmet, CheckContext, CheckError};
use crate::checks::{history_window, production_unit};
use crate::disruption;
use crate::phase::Phase;
use crate::query::{cgroup, clock, journal::JournalQuery, procfs};

pub fn resource_limits(ctx: &CheckContext) -> Result<(), CheckError> {
    let properties = production_unit(ctx, &["MemoryMax", "CPUQuotaPerSecUSec", "ControlGroup"])?;
    let unit = &properties.unit;

    // `systemctl show` prints MemoryMax=infinity when no limit is set, and has
    // no CPUQuota property at all: the quota is CPUQuotaPerSecUSec.
    let Some(memory_max) = properties.limit_bytes("MemoryMax")? else {
        return Err(unmet(format!("{unit} to set a finite MemoryMax"), "MemoryMax=infinity"));
    };
    let Some(cpu_quota) = properties.span("CPUQuotaPerSecUSec")? else {
        return Err(unmet(format!("{unit} to set a finite CPUQuota"), "CPUQuotaPerSecUSec=infinity"));
    };

    let kernel = cgroup::limits(ctx, properties.get("ControlGroup")?)?;
    if kernel.memory_limit != Some(memory_max) {
        return Err(unmet(
            format!("the kernel's memory limit for {unit} (cgroup v{}) to equal MemoryMax={memory_max}", kernel.version),
            format!("{}", describe_bytes(kernel.memory_limit)),
        ));
    }
    if kernel.cpu_quota_per_sec != Some(cpu_quota) {
        return Err(unmet(
            format!(
                "the kernel's CPU quota for {unit} (cgroup v{}) to equal CPUQuotaPerSecUSec={}",
                kernel.version,
                humantime::format_duration(cpu_quota)
            ),
            match kernel.cpu_quota_per_sec {
                Some(quota) => format!("{} of CPU per second", humantime::format_duration(quota)),
                None => "no CPU quota".to_string(),
            },
        ));
    }
    Ok(())
}

pub fn non_root(ctx: &CheckContext) -> Result<(), CheckError> {
    let user = &ctx.profile.service.user;
    let Some(uid) = procfs::user_id(ctx, user)? else {
        return Err(unmet(format!("user {user} to exist"), "no such user"));
    };
    let properties = production_unit(ctx, &["ControlGroup"])?;
    let processes = procfs::unit_processes(ctx, properties.get("ControlGroup")?)?;
    if processes.is_empty() {
        return Err(unmet(format!("{} to have running processes", properties.unit), "its cgroup is empty"));
    }
    let foreign: Vec<String> = processes
        .iter()
        .filter(|process| process.uids.iter().any(|id| *id != uid))
        .map(|process| format!("pid {} runs with UIDs {:?} ({})", process.pid, process.uids, process.command))
        .collect();
    if !foreign.is_empty() {
        return Err(unmet(
            format!("every process of {} to run as {user} (UID {uid}) only", properties.unit),
            foreign.join("; "),
        ));
    }
    Ok(())
}

pub fn memory_within_limit(ctx: &CheckContext) -> Result<(), CheckError> {
    let properties = production_unit(ctx, &["MemoryMax", "MemoryCurrent", "ControlGroup"])?;
    let unit = &properties.unit;
    let Some(memory_max) = properties.limit_bytes("MemoryMax")? else {
        return Err(unmet(format!("{unit} to set a MemoryMax to stay within"), "MemoryMax=infinity"));
    };
    let kernel = cgroup::limits(ctx, properties.get("ControlGroup")?)?;
    if kernel.memory_usage > memory_max {
        return Err(unmet(
            format!("{unit} to use at most MemoryMax={memory_max} bytes"),
            format!("{} bytes in use (the limit is not enforced)", kernel.memory_usage),
        ));
    }
    if let Some(peak) = kernel.memory_peak.filter(|peak| *peak > memory_max) {
        return Err(unmet(
            format!("{unit}'s peak memory use to stay within MemoryMax={memory_max} bytes"),
            format!("a peak of {peak} bytes"),
        ));
    }
    Ok(())
}

pub fn no_oom_kills(ctx: &CheckContext) -> Result<(), CheckError> {
    let properties = production_unit(ctx, &["ControlGroup", "Result"])?;
    let unit = properties.unit.clone();
    if properties.get("Result")? == "oom-kill" {
        return Err(unmet(format!("{unit} not to have been stopped by the OOM killer"), "Result=oom-kill"));
    }
    // A stopped unit has no cgroup, and so no kernel counter to read; the
    // journal below still covers its history.
    let control_group = properties.get("ControlGroup")?;
    if control_group.is_empty() {
        ctx.note(format!("{unit} has no cgroup (not running); the kernel's oom_kill counter was not read"));
    } else {
        let kernel = cgroup::limits(ctx, control_group)?;
        if let Some(kills) = kernel.oom_kills.filter(|kills| *kills > 0) {
            return Err(unmet(
                format!("no OOM kills in {unit}'s cgroup"),
                format!("the kernel counted {kills} (oom_kill)"),
            ));
        }
    }

    // The plan's journal search for "oom", "killed" and "quota", without the
    // entries that the suite's own disruptive checks cause.
    let window = history_window(ctx, Phase::One.window(ctx.profile))?;
    let entries = JournalQuery::new()
        .with_unit(&unit)
        .with_window(window)
        .run(ctx, &format!("journal of {unit} in the Phase 1 window"))?;
    let suite_windows = disruption::windows_since(ctx, window.0)?;
    let events: Vec<String> = entries
        .iter()
        .filter(|entry| {
            let message = entry.message.to_lowercase();
            message.contains("oom") || message.contains("killed") || message.contains("quota")
        })
        .filter(|entry| !disruption::is_suite_caused(&suite_windows, entry.realtime_us))
        .map(|entry| entry.message.clone())
        .collect();
    if !events.is_empty() {
        return Err(unmet(
            format!("no OOM, kill or quota events for {unit} in the window outside the suite's own checks"),
            events.join("; "),
        ));
    }
    Ok(())
}

/// Returns the start of a window of length `window` ending now on the target.
pub(crate) fn window_start(ctx: &CheckContext, window: Duration) -> Result<u64, CheckError> {
    Ok(clock::now(ctx)?.saturating_sub(window.as_secs()))
}

fn describe_bytes(bytes: Option<u64>) -> String {
    match bytes {
        Some(bytes) => format!("{bytes} bytes"),
        None => "no limit".to_string(),
    }
}
