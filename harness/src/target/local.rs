//! The machine the suite runs on, aimed at by `ALIVE_SUITE_TARGET=local`.

use std::process::Command;
use std::time::{Duration, Instant};

use super::{timeout_argv, Target, TargetError};
use crate::exec::CommandOutput;
use crate::settings::TargetKind;

/// The local host. It must have been booted with systemd.
#[derive(Debug)]
pub struct LocalTarget {
    hostname: String,
}

/// The local host cannot be a target.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// `/run/systemd/system` is missing, so systemd is not PID 1.
    #[error(
        "the local host was not booted with systemd (/run/systemd/system is missing), \
         so it cannot run the production unit; run the suite on the production host itself, \
         or leave ALIVE_SUITE_TARGET unset to test the reference host in a container"
    )]
    NotSystemd,
}

impl LocalTarget {
    /// Checks that the local host runs systemd and returns it as a target.
    pub fn attach() -> Result<LocalTarget, LocalError> {
        // The test sd_booted(3) uses: systemd creates this directory at boot.
        if !std::path::Path::new("/run/systemd/system").is_dir() {
            return Err(LocalError::NotSystemd);
        }
        let hostname = nix::unistd::gethostname()
            .ok()
            .and_then(|name| name.into_string().ok())
            .unwrap_or_else(|| "localhost".to_string());
        Ok(LocalTarget { hostname })
    }
}

impl Target for LocalTarget {
    fn describe(&self) -> String {
        format!("local host {}", self.hostname)
    }

    fn kind(&self) -> TargetKind {
        TargetKind::Local
    }

    fn run(&self, script: &str, timeout: Duration) -> Result<CommandOutput, TargetError> {
        let argv = timeout_argv(script, timeout);
        let start = Instant::now();
        let output = Command::new(&argv[0])
            .args(&argv[1..])
            .output()
            .map_err(TargetError::Spawn)?;
        Ok(CommandOutput {
            script: script.to_string(),
            status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed: start.elapsed(),
        })
    }

    fn provide_file(&self, local: &std::path::Path, _remote: &str) -> Result<String, TargetError> {
        Ok(local.display().to_string())
    }
}
