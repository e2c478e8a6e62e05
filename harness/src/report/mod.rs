//! Reports written from the records of finished trials.

mod junit;
mod plot;
mod record;

pub use junit::write_junit;
pub use plot::latency_svg;
pub use record::{RunRecord, TrialRecord, TrialStatus};
