//! The records reporters consume: one per finished trial, and one per run.

use std::time::Duration;

use crate::check::{CheckReport, Verdict};

/// The outcome of one trial, as a report shows it.
#[derive(Debug, Clone)]
pub enum TrialStatus {
    Passed,
    /// `message` is a one-line summary; `detail` contains the full evidence.
    Failed { message: String, detail: String },
    Skipped { reason: String },
}

/// One finished trial.
#[derive(Debug, Clone)]
pub struct TrialRecord {
    pub name: String,
    /// Groups trials in a report, such as `Phase 1` or `faults`.
    pub group: String,
    pub status: TrialStatus,
    pub elapsed: Duration,
}

/// A whole run of one test target.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    /// The test target's name, such as `phase1`; names the report file.
    pub suite: String,
    /// Key-value facts about the run: target, profile, fault.
    pub properties: Vec<(String, String)>,
    pub trials: Vec<TrialRecord>,
    pub elapsed: Duration,
}

impl From<&CheckReport> for TrialRecord {
    fn from(report: &CheckReport) -> Self {
        let status = match &report.verdict {
            Verdict::Passed => TrialStatus::Passed,
            Verdict::Skipped(reason) => TrialStatus::Skipped {
                reason: reason.to_string(),
            },
            Verdict::Failed(error) => TrialStatus::Failed {
                message: error.to_string().lines().next().unwrap_or_default().to_string(),
                detail: report.failure_message().unwrap_or_default(),
            },
        };
        TrialRecord {
            name: report.id.to_string(),
            group: report.phase.to_string(),
            status,
            elapsed: report.elapsed,
        }
    }
}
