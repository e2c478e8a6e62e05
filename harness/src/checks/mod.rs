//! The checks of each phase.

pub mod phase1;
pub mod phase2;

use crate::check::{CheckContext, CheckError};
use crate::query::systemd::{show_unit, UnitProperties};

/// Reads `properties` of the production unit named in the profile.
pub(crate) fn production_unit(
    ctx: &CheckContext,
    properties: &[&str],
) -> Result<UnitProperties, CheckError> {
    show_unit(ctx, &ctx.profile.service.unit, properties)
}
