//! Production's history over the Phase 3 window: restarts, errors, OOM
//! kills and quota events.

use crate::check::{unmet, CheckContext, CheckError};
use crate::checks::history_window;
use crate::checks::phase1::stability::{describe_starts, unplanned_restarts};
use crate::disruption;
use crate::phase::Phase;
use crate::query::journal::{JournalEntry, JournalQuery};

pub fn no_unplanned_restarts(ctx: &CheckContext) -> Result<(), CheckError> {
    let window = Phase::Three.window(ctx.profile);
    let allowed = ctx.profile.production_build.max_restarts;
    let restarts = unplanned_restarts(ctx, window)?;
    if restarts.len() > allowed {
        return Err(unmet(
            format!(
                "at most {allowed} unplanned restarts of {} in {}",
                ctx.profile.service.unit,
                humantime::format_duration(window)
            ),
            format!("{} restarts: {}", restarts.len(), describe_starts(&restarts)),
        ));
    }
    Ok(())
}

pub fn no_error_spikes(ctx: &CheckContext) -> Result<(), CheckError> {
    let errors = production_entries(ctx, |entry| entry.priority.is_some_and(|priority| priority <= 3))?;
    if !errors.is_empty() {
        return Err(unmet(
            format!("no error entries of {} in the Phase 3 window", ctx.profile.service.unit),
            format!("{}: {}", errors.len(), errors.join("; ")),
        ));
    }
    Ok(())
}

pub fn no_oom_or_quota_events(ctx: &CheckContext) -> Result<(), CheckError> {
    let events = production_entries(ctx, |entry| {
        let message = entry.message.to_lowercase();
        message.contains("oom") || message.contains("killed") || message.contains("quota")
    })?;
    if !events.is_empty() {
        return Err(unmet(
            format!("no OOM, kill or quota events of {} in the Phase 3 window", ctx.profile.service.unit),
            format!("{}: {}", events.len(), events.join("; ")),
        ));
    }
    Ok(())
}

/// Returns production's journal entries in the Phase 3 window that match
/// `select`, outside the suite's own disruptions.
fn production_entries(ctx: &CheckContext, select: impl Fn(&JournalEntry) -> bool) -> Result<Vec<String>, CheckError> {
    let unit = &ctx.profile.service.unit;
    let window = history_window(ctx, Phase::Three.window(ctx.profile))?;
    let entries = JournalQuery::new()
        .with_unit(unit)
        .with_window(window)
        .run(ctx, &format!("journal of {unit} in the Phase 3 window"))?;
    let suite_windows = disruption::windows_since(ctx, window.0)?;
    Ok(entries
        .iter()
        .filter(|entry| select(entry))
        .filter(|entry| !disruption::is_suite_caused(&suite_windows, entry.realtime_us))
        .map(|entry| format!("@{} {}", entry.realtime_secs(), entry.message))
        .collect())
}
