//! The target's wall clock.

use crate::check::{CheckContext, CheckError};

/// Returns the target's current time in seconds since the epoch.
pub fn now(ctx: &CheckContext) -> Result<u64, CheckError> {
    let output = ctx.query("target clock", "date +%s")?;
    output.stdout_trimmed().parse().map_err(|_| CheckError::Parse {
        what: "target clock".to_string(),
        detail: format!("`{}` is not a number of seconds", output.stdout_trimmed()),
    })
}
