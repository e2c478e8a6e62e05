//! Removal of containers left behind by runs that were killed.
//!
//! A run removes its container when it ends, and testcontainers' watchdog
//! removes it on SIGINT or SIGTERM, but SIGKILL leaves it running. Each
//! container carries the PID and host name of the process that started it,
//! so a later run can tell a leftover from a container still in use.

use std::process::Command;

use super::container::{KEEP_LABEL, OWNER_HOST_LABEL, OWNER_PID_LABEL, SUITE_LABEL};

/// Removes suite containers whose owning process on this host has exited.
/// Containers kept on purpose are left alone and listed. Failures are
/// reported on stderr and never stop the run.
pub fn sweep_stale_containers() {
    let listing = Command::new("docker")
        .args([
            "ps",
            "--all",
            "--filter",
            &format!("label={SUITE_LABEL}"),
            "--format",
            &format!(
                "{{{{.ID}}}} {{{{.Label \"{OWNER_PID_LABEL}\"}}}} {{{{.Label \"{OWNER_HOST_LABEL}\"}}}} {{{{.Label \"{KEEP_LABEL}\"}}}}"
            ),
        ])
        .output();
    let listing = match listing {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout).into_owned(),
        Ok(output) => {
            eprintln!(
                "sweep: warning: `docker ps` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
            return;
        }
        Err(error) => {
            eprintln!("sweep: warning: failed to run `docker ps`: {error}");
            return;
        }
    };

    let this_host = local_hostname();
    for line in listing.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [id, pid, host, keep] = fields[..] else { continue };
        if host != this_host {
            continue;
        }
        if keep == "1" {
            eprintln!("sweep: container {id} was kept on purpose; remove it with `docker rm -f {id}`");
            continue;
        }
        if pid.parse::<i32>().is_ok_and(process_is_alive) {
            continue;
        }
        eprintln!("sweep: removing container {id} left by process {pid}, which has exited");
        let removed = Command::new("docker").args(["rm", "--force", id]).output();
        if let Err(error) = removed {
            eprintln!("sweep: warning: failed to remove container {id}: {error}");
        }
    }
}

fn process_is_alive(pid: i32) -> bool {
    use nix::errno::Errno;
    use nix::sys::signal::kill;
    use nix::unistd::Pid;
    // Signal 0 checks for existence without sending anything.
    !matches!(kill(Pid::from_raw(pid), None), Err(Errno::ESRCH))
}

/// Returns this machine's host name, or `unknown` when it cannot be read.
pub(crate) fn local_hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|name| name.into_string().ok())
        .unwrap_or_else(|| "unknown".to_string())
}
