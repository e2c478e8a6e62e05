//! Hosts the checks run against: the reference host in a container, or the
//! local machine.

mod container;
mod local;
mod sweep;

pub use container::{ContainerError, ContainerTarget};
pub use local::{LocalError, LocalTarget};
pub use sweep::sweep_stale_containers;

use std::path::Path;
use std::time::Duration;

use crate::exec::CommandOutput;
use crate::settings::TargetKind;

/// A host that runs shell scripts as root and returns their output.
pub trait Target: Send + Sync {
    /// Names the host for progress lines and reports.
    fn describe(&self) -> String;

    fn kind(&self) -> TargetKind;

    /// Runs `script` with `bash -c` on the host, killing it after `timeout`.
    fn run(&self, script: &str, timeout: Duration) -> Result<CommandOutput, TargetError>;

    /// Makes the local file `local` available on the host and returns its
    /// path there. A container gets a copy at `remote`; the local host uses
    /// the file where it is, so nothing is left behind.
    fn provide_file(&self, local: &Path, remote: &str) -> Result<String, TargetError>;
}

/// A command that could not be run on the target at all.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The Docker API call to execute a command in the container failed.
    #[error("failed to execute a command in container {container}")]
    Exec {
        container: String,
        #[source]
        source: testcontainers::TestcontainersError,
    },
    /// The local shell could not be started.
    #[error("failed to start `bash` on the local host")]
    Spawn(#[source] std::io::Error),
    /// `docker cp` could not copy a file into the container.
    #[error("failed to copy {local} into container {container}: {detail}")]
    Copy {
        local: String,
        container: String,
        detail: String,
    },
}

/// Wraps `script` so that coreutils `timeout` ends it after `timeout`;
/// `timeout` exits with 124 in that case.
pub(crate) fn timeout_argv(script: &str, timeout: Duration) -> Vec<String> {
    vec![
        "timeout".into(),
        "--kill-after=5s".into(),
        format!("{}s", timeout.as_secs().max(1)),
        "bash".into(),
        "-c".into(),
        script.into(),
    ]
}
