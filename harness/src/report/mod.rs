//! Reports written from the records of finished trials.

mod junit;
mod record;

pub use junit::write_junit;
pub use record::{RunRecord, TrialRecord, TrialStatus};
