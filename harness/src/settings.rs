//! Run settings read from environment variables.

use std::fmt;
use std::path::PathBuf;

use crate::fault::FaultSpec;

/// Selects the target: `container` (default) or `local`.
pub const TARGET_VAR: &str = "ALIVE_SUITE_TARGET";
/// Path of the host profile; defaults depend on the target.
pub const PROFILE_VAR: &str = "ALIVE_SUITE_PROFILE";
/// A fault name from `containers/faults/`, or a path to a fault script.
pub const FAULT_VAR: &str = "ALIVE_SUITE_FAULT";
/// `1` keeps the reference host running after the run, for inspection.
pub const KEEP_VAR: &str = "ALIVE_SUITE_KEEP";
/// `1` allows disruptive checks (kill, stop, `pm2 kill`, load) on a `local` target.
pub const ALLOW_DISRUPTION_VAR: &str = "ALIVE_SUITE_ALLOW_DISRUPTION";
/// A local image to boot as the reference host instead of building one.
pub const IMAGE_VAR: &str = "ALIVE_SUITE_IMAGE";
/// Directory for JUnit reports; defaults to `target/junit`.
pub const REPORT_DIR_VAR: &str = "ALIVE_SUITE_REPORT_DIR";

/// The kind of host the checks run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The reference host: a systemd container built from `containers/`.
    Container,
    /// The machine the suite runs on, which must itself be a systemd host.
    Local,
}

impl TargetKind {
    const VALID: &'static str = "container, local";

    fn parse(value: &str) -> Result<Self, SettingsError> {
        match value {
            "container" => Ok(TargetKind::Container),
            "local" => Ok(TargetKind::Local),
            other => Err(SettingsError::UnknownTarget {
                value: other.to_string(),
            }),
        }
    }
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TargetKind::Container => "container",
            TargetKind::Local => "local",
        })
    }
}

/// Settings of one run, from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub target: TargetKind,
    pub profile: PathBuf,
    pub fault: Option<FaultSpec>,
    pub keep: bool,
    pub allow_disruption: bool,
    pub report_dir: PathBuf,
    /// Image to boot instead of the one built from `containers/`.
    pub image: Option<String>,
}

/// An environment variable with a value the suite cannot use.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The target name is not one of the known kinds.
    #[error("unknown target `{value}` in {TARGET_VAR}; valid targets: {}", TargetKind::VALID)]
    UnknownTarget { value: String },
    /// A switch is neither on nor off.
    #[error("invalid value `{value}` in {var}; use 1 to turn it on or 0 to turn it off")]
    InvalidSwitch { var: &'static str, value: String },
    /// A variable contains bytes that are not UTF-8.
    #[error("{var} is not valid UTF-8")]
    NotUnicode { var: &'static str },
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        let target = match read_var(TARGET_VAR)? {
            Some(value) => TargetKind::parse(&value)?,
            None => TargetKind::Container,
        };
        let profile = match read_var(PROFILE_VAR)? {
            Some(path) => PathBuf::from(path),
            None => match target {
                TargetKind::Container => crate::profile::container_profile_path(),
                TargetKind::Local => crate::profile::default_profile_path(),
            },
        };
        let fault = read_var(FAULT_VAR)?.map(|value| FaultSpec::parse(&value));
        let report_dir = match read_var(REPORT_DIR_VAR)? {
            Some(path) => PathBuf::from(path),
            None => crate::paths::target_dir().join("junit"),
        };
        Ok(Settings {
            target,
            profile,
            fault,
            keep: read_switch(KEEP_VAR)?,
            allow_disruption: read_switch(ALLOW_DISRUPTION_VAR)?,
            report_dir,
            image: read_var(IMAGE_VAR)?,
        })
    }

    /// Returns whether disruptive checks may run on this target.
    pub fn disruption_allowed(&self) -> bool {
        self.target == TargetKind::Container || self.allow_disruption
    }
}

fn read_var(var: &'static str) -> Result<Option<String>, SettingsError> {
    match std::env::var(var) {
        Ok(value) if value.is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(SettingsError::NotUnicode { var }),
    }
}

fn read_switch(var: &'static str) -> Result<bool, SettingsError> {
    match read_var(var)?.as_deref() {
        None | Some("0") | Some("false") | Some("no") => Ok(false),
        Some("1") | Some("true") | Some("yes") => Ok(true),
        Some(other) => Err(SettingsError::InvalidSwitch {
            var,
            value: other.to_string(),
        }),
    }
}
