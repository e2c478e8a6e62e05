//! Uptime and restart counts over the Phase 1 observation window.

use std::time::Duration;

use crate::check::{unmet, CheckContext, CheckError};
use crate::checks::{history_window, production_unit};
use crate::disruption;
use crate::phase::Phase;
use crate::query::clock;
use crate::query::journal::{JournalEntry, JournalQuery, UNIT_STARTED};

/// Restarts in the Phase 1 window above which Phase 2 cannot begin.
const MAX_PHASE1_RESTARTS: usize = 3;

pub fn stable_uptime(ctx: &CheckContext) -> Result<(), CheckError> {
    let window = Phase::One.window(ctx.profile);
    let properties = production_unit(ctx, &["ActiveState", "SubState", "ActiveEnterTimestamp"])?;
    let unit = &properties.unit;
    let state = format!("{} ({})", properties.get("ActiveState")?, properties.get("SubState")?);
    if state != "active (running)" {
        return Err(unmet(format!("{unit} to be active (running)"), state));
    }

    // Wall clock against wall clock: ActiveEnterTimestamp is printed in
    // seconds since the epoch, and so is the target's `date +%s`.
    let Some(entered) = properties.timestamp("ActiveEnterTimestamp")? else {
        return Err(unmet(format!("{unit} to have entered the active state"), "no ActiveEnterTimestamp"));
    };
    let now = clock::now(ctx)?;
    let uptime = Duration::from_secs(now.saturating_sub(entered));
    ctx.note(format!("uptime {} (window {})", humantime::format_duration(uptime), humantime::format_duration(window)));
    if uptime < window {
        return Err(unmet(
            format!("{unit} to have been active for at least {}", humantime::format_duration(window)),
            format!("active for {}", humantime::format_duration(uptime)),
        ));
    }
    Ok(())
}

pub fn restart_count(ctx: &CheckContext) -> Result<(), CheckError> {
    let window = Phase::One.window(ctx.profile);
    let restarts = unplanned_restarts(ctx, window)?;
    let unit = &ctx.profile.service.unit;
    if restarts.len() > MAX_PHASE1_RESTARTS {
        return Err(unmet(
            format!(
                "at most {MAX_PHASE1_RESTARTS} restarts of {unit} in {}",
                humantime::format_duration(window)
            ),
            format!("{} restarts: {}", restarts.len(), describe_starts(&restarts)),
        ));
    }
    Ok(())
}

/// Returns the starts of the production unit in the last `window` that
/// were restarts the suite did not cause. The first start of the current
/// boot is not a restart; a start in an earlier boot within the window is,
/// because the host rebooted.
pub(crate) fn unplanned_restarts(ctx: &CheckContext, window: Duration) -> Result<Vec<JournalEntry>, CheckError> {
    let unit = &ctx.profile.service.unit;
    let history = history_window(ctx, window)?;
    let since = history.0;
    let starts = started_records(unit).with_window(history).run(ctx, &format!("start records of {unit} in the window"))?;
    let boot_starts = started_records(unit)
        .with_current_boot()
        .run(ctx, &format!("start records of {unit} in the current boot"))?;
    let first_of_boot = boot_starts.first().map(|entry| entry.cursor.clone());
    let suite_windows = disruption::windows_since(ctx, since)?;

    let unplanned: Vec<JournalEntry> = starts
        .into_iter()
        .filter(|entry| Some(&entry.cursor) != first_of_boot.as_ref())
        .filter(|entry| !disruption::is_suite_caused(&suite_windows, entry.realtime_us))
        .collect();
    ctx.note(format!(
        "{} unplanned restarts in the window; {} disruption windows of the suite left out",
        unplanned.len(),
        suite_windows.len()
    ));
    Ok(unplanned)
}

/// Selects systemd's "Started" records for `unit`, which PID 1 writes with
/// the unit in the `UNIT` field whatever the unit's description is.
fn started_records(unit: &str) -> JournalQuery {
    JournalQuery::new()
        .with_match("_PID", "1")
        .with_match("UNIT", unit)
        .with_match("MESSAGE_ID", UNIT_STARTED)
}

pub(crate) fn describe_starts(entries: &[JournalEntry]) -> String {
    entries
        .iter()
        .map(|entry| format!("@{} {}", entry.realtime_secs(), entry.message))
        .collect::<Vec<_>>()
        .join("; ")
}
