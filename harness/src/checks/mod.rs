//! The checks of each phase.

pub mod phase1;
pub mod phase2;
pub mod phase3;

use crate::check::{CheckContext, CheckError};
use crate::query::systemd::{show_unit, UnitProperties};

/// Reads `properties` of the production unit named in the profile.
pub(crate) fn production_unit(
    ctx: &CheckContext,
    properties: &[&str],
) -> Result<UnitProperties, CheckError> {
    show_unit(ctx, &ctx.profile.service.unit, properties)
}

/// Returns the history window of length `window` that observational
/// checks read, as `(since, until)` in seconds since the epoch on the
/// target. It ends when setup finished, so that nothing the suite's own
/// checks do afterwards falls into it.
pub(crate) fn history_window(ctx: &CheckContext, window: std::time::Duration) -> Result<(u64, u64), CheckError> {
    let until = match ctx.observed_at {
        Some(observed_at) => observed_at,
        None => crate::query::clock::now(ctx)?,
    };
    Ok((until.saturating_sub(window.as_secs()), until))
}
