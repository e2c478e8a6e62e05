//! Faults: scripts that break chosen outcomes on the reference host.
//!
//! A fault is a bash script in `containers/faults/` that runs as root inside
//! the reference host after it boots. Its header names the checks it must
//! make fail:
//!
//! ```text
//! # Fault: the unit loses its memory limit
//! # Breaks: phase1::resource_limits, phase1::memory_within_limit
//! # Settle: yes
//! ```
//!
//! `Settle: yes` lets the host run for the observation window again after
//! the fault, for faults that restart production but must not count as a
//! recent restart. `Age: phase1` lets the Phase 1 window pass after the
//! fault, so that its events fall outside that window but inside the
//! longer windows of later phases.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::exec::CommandOutput;
use crate::paths::faults_dir;
use crate::phase::Phase;
use crate::settings::FAULT_VAR;
use crate::target::{Target, TargetError};

/// Time a fault script may take.
const APPLY_TIMEOUT: Duration = Duration::from_secs(120);

/// A fault reference: a name in `containers/faults/`, or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultSpec {
    Named(String),
    Path(PathBuf),
}

impl FaultSpec {
    /// Reads a value with a `/` or a `.sh` suffix as a path, else as a name.
    pub fn parse(value: &str) -> FaultSpec {
        if value.contains('/') || value.ends_with(".sh") {
            FaultSpec::Path(PathBuf::from(value))
        } else {
            FaultSpec::Named(value.to_string())
        }
    }
}

/// A loaded fault script.
#[derive(Debug, Clone)]
pub struct Fault {
    pub name: String,
    pub path: PathBuf,
    pub script: String,
    pub description: String,
    /// IDs of the checks that must fail, and only those.
    pub breaks: Vec<String>,
    pub settle: bool,
    /// The phase whose window must pass after the fault.
    pub age: Option<Phase>,
}

/// A fault that cannot be loaded or applied.
#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    /// No script has the requested name.
    #[error("unknown fault `{name}` in {FAULT_VAR}; known faults: {}", known.join(", "))]
    Unknown { name: String, known: Vec<String> },
    /// The script could not be read.
    #[error("failed to read fault script {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The header is missing a field or names an unknown check.
    #[error("invalid fault script {path}: {problem}")]
    Header { path: PathBuf, problem: String },
    /// Faults change the host, so they run only on the reference host.
    #[error("fault `{name}` can only be applied to the reference host; unset ALIVE_SUITE_TARGET or {FAULT_VAR}")]
    LocalTarget { name: String },
    /// The script could not be sent to the target.
    #[error("failed to apply fault `{name}`")]
    Target {
        name: String,
        #[source]
        source: TargetError,
    },
    /// The script exited non-zero.
    #[error("fault `{name}` failed on the target:\n{output}")]
    Script { name: String, output: CommandOutput },
}

impl Fault {
    /// Loads the fault `spec` names.
    pub fn load(spec: &FaultSpec) -> Result<Fault, FaultError> {
        match spec {
            FaultSpec::Path(path) => Fault::from_file(path),
            FaultSpec::Named(name) => {
                let path = faults_dir().join(format!("{name}.sh"));
                if !path.is_file() {
                    return Err(FaultError::Unknown {
                        name: name.clone(),
                        known: Fault::all()?.into_iter().map(|fault| fault.name).collect(),
                    });
                }
                Fault::from_file(&path)
            }
        }
    }

    /// Loads every fault in `containers/faults/`, sorted by name.
    pub fn all() -> Result<Vec<Fault>, FaultError> {
        let dir = faults_dir();
        let entries = std::fs::read_dir(&dir).map_err(|source| FaultError::Read {
            path: dir.clone(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "sh"))
            .collect();
        paths.sort();
        paths.iter().map(|path| Fault::from_file(path)).collect()
    }

    fn from_file(path: &Path) -> Result<Fault, FaultError> {
        let script = std::fs::read_to_string(path).map_err(|source| FaultError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let header = |problem: String| FaultError::Header {
            path: path.to_path_buf(),
            problem,
        };
        let mut description = None;
        let mut breaks = Vec::new();
        let mut settle = false;
        let mut age = None;
        for line in script.lines().take_while(|line| line.starts_with('#')) {
            let line = line.trim_start_matches('#').trim();
            if let Some(text) = line.strip_prefix("Fault:") {
                description = Some(text.trim().to_string());
            } else if let Some(ids) = line.strip_prefix("Breaks:") {
                breaks.extend(ids.split(',').map(str::trim).filter(|id| !id.is_empty()).map(String::from));
            } else if let Some(value) = line.strip_prefix("Settle:") {
                settle = value.trim() == "yes";
            } else if let Some(value) = line.strip_prefix("Age:") {
                age = match value.trim() {
                    "phase1" => Some(Phase::One),
                    "phase2" => Some(Phase::Two),
                    other => return Err(header(format!("`# Age:` must be phase1 or phase2, not `{other}`"))),
                };
            }
        }
        let description = description.ok_or_else(|| header("no `# Fault:` line".to_string()))?;
        if breaks.is_empty() {
            return Err(header("no `# Breaks:` line naming the checks it must fail".to_string()));
        }
        for id in &breaks {
            if find_phase(id).is_none() {
                return Err(header(format!("`# Breaks:` names `{id}`, which is not a check")));
            }
        }
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Fault {
            name,
            path: path.to_path_buf(),
            script,
            description,
            breaks,
            settle,
            age,
        })
    }

    /// Returns the latest phase among the checks the fault breaks.
    pub fn phase(&self) -> Phase {
        self.breaks.iter().filter_map(|id| find_phase(id)).max().unwrap_or(Phase::One)
    }

    /// Runs the script as root on `target`.
    pub fn apply(&self, target: &dyn Target) -> Result<(), FaultError> {
        eprintln!("fault: applying `{}` ({}) to {}", self.name, self.description, target.describe());
        let output = target
            .run(&self.script, APPLY_TIMEOUT)
            .map_err(|source| FaultError::Target {
                name: self.name.clone(),
                source,
            })?;
        if !output.success() {
            return Err(FaultError::Script {
                name: self.name.clone(),
                output,
            });
        }
        Ok(())
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.description)
    }
}

fn find_phase(id: &str) -> Option<Phase> {
    Phase::ALL
        .into_iter()
        .find(|phase| phase.checks().iter().any(|check| check.id == id))
}
