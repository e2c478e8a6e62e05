//! Checks, their verdicts and the context they run in.
//!
//! A check tests one expected outcome or gate condition of the plan on a
//! target and returns `Ok(())` when the outcome holds. Every command it runs
//! goes through its [`CheckContext`], which records the command and its
//! output as evidence for the report.

use std::cell::RefCell;
use std::fmt;
use std::time::Duration;

use crate::evidence::{Evidence, Observation};
use crate::exec::CommandOutput;
use crate::phase::Phase;
use crate::profile::Profile;
use crate::settings::ALLOW_DISRUPTION_VAR;
use crate::target::{Target, TargetError};
use crate::wait::WaitTimedOut;

/// Default time limit of one command on the target.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether a check only reads the host or changes what production does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    /// Reads state; safe on a live host.
    Observational,
    /// Kills, stops or loads production or its neighbours; restores what it
    /// changed. Runs on a `local` target only with the opt-in.
    Disruptive,
}

/// One check of the plan.
pub struct Check {
    /// Unique name, `phaseN::outcome`, used as the trial name.
    pub id: &'static str,
    pub phase: Phase,
    pub nature: Nature,
    /// The outcome in the plan's words, for listings and reports.
    pub outcome: &'static str,
    pub run: fn(&CheckContext) -> Result<(), CheckError>,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish()
    }
}

/// The cause of a failed check.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The outcome does not hold on the target.
    #[error("expected {expected}\nfound: {found}")]
    Unmet { expected: String, found: String },
    /// A query command failed, so the outcome could not be read.
    #[error("failed to query {what}: the command exited with {status} (its output is in the evidence)")]
    Query { what: String, status: String },
    /// A query's output could not be parsed.
    #[error("failed to parse {what}: {detail}")]
    Parse { what: String, detail: String },
    /// A polled condition did not hold within its deadline.
    #[error("{0}")]
    TimedOut(#[from] WaitTimedOut),
    /// The target could not run a command at all.
    #[error("failed to run a command on the target")]
    Target(#[from] TargetError),
    /// The outcome cannot be tested on this target; the runner reports the
    /// check as skipped with this reason, never as passed.
    #[error("not applicable: {0}")]
    NotApplicable(String),
}

/// Builds a [`CheckError::Unmet`].
pub fn unmet(expected: impl Into<String>, found: impl Into<String>) -> CheckError {
    CheckError::Unmet {
        expected: expected.into(),
        found: found.into(),
    }
}

/// The reason a check was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A disruptive check on a `local` target without the opt-in.
    DisruptionNotAllowed,
    /// A check of a later phase whose gate failed.
    Blocked { gate: Phase, failed: Vec<String> },
    /// The check itself found nothing to test, for the stated reason.
    NotApplicable(String),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::DisruptionNotAllowed => write!(
                f,
                "disruptive check on a local target; set {ALLOW_DISRUPTION_VAR}=1 to run it"
            ),
            SkipReason::Blocked { gate, failed } => {
                write!(f, "blocked: the {gate} gate failed ({})", failed.join(", "))
            }
            SkipReason::NotApplicable(reason) => write!(f, "not applicable: {reason}"),
        }
    }
}

/// The result of one check.
#[derive(Debug)]
#[must_use]
pub enum Verdict {
    Passed,
    Failed(CheckError),
    Skipped(SkipReason),
}

impl Verdict {
    pub fn is_failed(&self) -> bool {
        matches!(self, Verdict::Failed(_))
    }
}

/// A check's verdict with its evidence and duration.
#[derive(Debug)]
#[must_use]
pub struct CheckReport {
    pub id: &'static str,
    pub phase: Phase,
    pub verdict: Verdict,
    pub evidence: Evidence,
    pub elapsed: Duration,
    /// The target the check ran on, as [`Target::describe`] names it.
    pub target: String,
}

impl CheckReport {
    /// Formats the failure for a test runner or a JUnit `<failure>`:
    /// the expectation first, then the target and all evidence.
    pub fn failure_message(&self) -> Option<String> {
        let Verdict::Failed(error) = &self.verdict else {
            return None;
        };
        let mut message = format!("{} failed: {error}\n", self.id);
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message.push_str(&format!("caused by: {cause}\n"));
            source = cause.source();
        }
        message.push_str(&format!("target: {}\n", self.target));
        if !self.evidence.is_empty() {
            message.push_str(&format!("evidence ({} items):\n{}", self.evidence.len(), self.evidence));
        }
        Some(message)
    }
}

/// The environment of a running check: the target, the profile, and an
/// evidence log that records every command run through it.
pub struct CheckContext<'a> {
    pub target: &'a dyn Target,
    pub profile: &'a Profile,
    pub check_id: &'static str,
    /// Directory for files a check saves beside the report, such as
    /// latency distributions.
    pub artifact_dir: std::path::PathBuf,
    /// End of the history that observational checks read, in seconds since
    /// the epoch on the target: the moment setup finished, before any check
    /// disturbed the host. `None` means "now".
    pub observed_at: Option<u64>,
    evidence: RefCell<Evidence>,
}

impl<'a> CheckContext<'a> {
    pub fn new(target: &'a dyn Target, profile: &'a Profile, check_id: &'static str) -> Self {
        CheckContext {
            target,
            profile,
            check_id,
            artifact_dir: crate::paths::target_dir().join("junit/artifacts"),
            observed_at: None,
            evidence: RefCell::new(Evidence::default()),
        }
    }

    pub fn with_artifact_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.artifact_dir = dir;
        self
    }

    pub fn with_observed_at(mut self, observed_at: Option<u64>) -> Self {
        self.observed_at = observed_at;
        self
    }

    /// Writes `contents` to `name` in the artifact directory, named after
    /// the check, and notes the path in the evidence.
    pub fn save_artifact(&self, name: &str, contents: &str) -> std::path::PathBuf {
        let path = self.artifact_dir.join(format!("{}-{name}", self.check_id.replace("::", "-")));
        let saved = std::fs::create_dir_all(&self.artifact_dir).and_then(|()| std::fs::write(&path, contents));
        match saved {
            Ok(()) => self.note(format!("saved {}", path.display())),
            Err(error) => self.note(format!("failed to save {}: {error}", path.display())),
        }
        path
    }

    /// Runs `script` on the target and records it under `label`.
    pub fn run(&self, label: &str, script: &str) -> Result<CommandOutput, CheckError> {
        self.run_with_timeout(label, script, COMMAND_TIMEOUT)
    }

    pub fn run_with_timeout(
        &self,
        label: &str,
        script: &str,
        timeout: Duration,
    ) -> Result<CommandOutput, CheckError> {
        let output = redact(self.target.run(script, timeout)?);
        self.evidence.borrow_mut().push(Observation::Command {
            label: label.to_string(),
            output: output.clone(),
        });
        Ok(output)
    }

    /// Runs `script` without recording it: for polls, whose final state the
    /// caller records with [`CheckContext::note`].
    pub fn run_unrecorded(&self, script: &str) -> Result<CommandOutput, CheckError> {
        Ok(redact(self.target.run(script, COMMAND_TIMEOUT)?))
    }

    /// Runs `script` and fails with [`CheckError::Query`] unless it exits 0.
    pub fn query(&self, label: &str, script: &str) -> Result<CommandOutput, CheckError> {
        let output = self.run(label, script)?;
        if !output.success() {
            return Err(CheckError::Query {
                what: label.to_string(),
                status: output
                    .status
                    .map_or("no exit code".to_string(), |code| format!("code {code}")),
            });
        }
        Ok(output)
    }

    pub fn note(&self, text: impl Into<String>) {
        self.evidence.borrow_mut().push(Observation::Note(text.into()));
    }

    pub fn into_evidence(self) -> Evidence {
        self.evidence.into_inner()
    }
}

/// Removes webhook secrets from a command's output before anything
/// stores or prints it.
fn redact(mut output: CommandOutput) -> CommandOutput {
    output.stdout = crate::exec::redact_secrets(&output.stdout);
    output.stderr = crate::exec::redact_secrets(&output.stderr);
    output
}

/// Quotes `value` for a POSIX shell.
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}
