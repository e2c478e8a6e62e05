//! The reference host: a systemd container started with testcontainers.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use testcontainers::core::{CgroupnsMode, ExecCommand, Mount};
use testcontainers::runners::SyncRunner;
use testcontainers::{Container, GenericImage, ImageExt};

use super::{timeout_argv, Target, TargetError};
use crate::exec::CommandOutput;
use crate::image::ImageRef;
use crate::settings::{TargetKind, KEEP_VAR};
use crate::wait::{Progress, Wait};

/// Label present on every container the suite starts.
pub const SUITE_LABEL: &str = "alive-suite";
/// Label with the PID of the process that started the container.
pub const OWNER_PID_LABEL: &str = "alive-suite.owner-pid";
/// Label with the host name of the machine that started the container.
pub const OWNER_HOST_LABEL: &str = "alive-suite.owner-host";
/// Label set on containers that the keep switch leaves running.
pub const KEEP_LABEL: &str = "alive-suite.keep";

/// Time systemd gets to reach a final boot state inside the container.
const BOOT_DEADLINE: Duration = Duration::from_secs(90);

/// A running reference host. Dropping it removes the container unless the
/// keep switch was on.
pub struct ContainerTarget {
    // The exec API takes `&self`; the mutex makes the handle `Sync` for
    // trials that run on other threads.
    container: Mutex<Option<Container<GenericImage>>>,
    id: String,
    image: ImageRef,
    keep: bool,
}

/// The reference host could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    /// Docker refused to create or start the container.
    #[error(
        "failed to start a container from image {image}; check that the Docker daemon \
         answers (`docker info`) and allows the options systemd needs (SYS_ADMIN, \
         cgroupns=host, a read-write /sys/fs/cgroup)"
    )]
    Start {
        image: String,
        #[source]
        source: testcontainers::TestcontainersError,
    },
    /// systemd did not come up as PID 1.
    #[error(
        "image {image} did not boot systemd in container {container}: {detail}\n\
         the image must run /lib/systemd/systemd as PID 1; rebuild it from containers/reference-host"
    )]
    Boot {
        image: String,
        container: String,
        detail: String,
    },
    /// A command to check the boot could not be run.
    #[error("failed to query the boot state of container {container}")]
    Exec {
        container: String,
        #[source]
        source: TargetError,
    },
}

impl ContainerTarget {
    /// Starts a container from `image` and waits until systemd has booted.
    pub fn start(image: &ImageRef, keep: bool) -> Result<ContainerTarget, ContainerError> {
        let container = container_request(image, keep)
            .start()
            .map_err(|source| ContainerError::Start {
                image: image.to_string(),
                source,
            })?;
        let id = container.id().to_string();
        eprintln!("reference host: started container {} from {image}", short_id(&id));
        let target = ContainerTarget {
            container: Mutex::new(Some(container)),
            id,
            image: image.clone(),
            keep,
        };

        target.wait_for_boot()?;
        Ok(target)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Polls `systemctl is-system-running --wait` until it prints a final
    /// state. systemd writes nothing to the container log, so there is no
    /// log line to wait for.
    fn wait_for_boot(&self) -> Result<(), ContainerError> {
        self.require_systemd_pid1()?;
        let wait = Wait::new("systemd to finish booting in the container", BOOT_DEADLINE)
            .with_interval(Duration::from_millis(250));
        let polled = wait
            .poll(|| {
                let output = self
                    .run("systemctl is-system-running --wait", Duration::from_secs(30))
                    .map_err(|source| ContainerError::Exec {
                        container: self.id.clone(),
                        source,
                    })?;
                let state = output.stdout_trimmed().to_string();
                Ok(match state.as_str() {
                    "running" | "degraded" => Progress::Done(state),
                    "" => Progress::Pending(format!("no state yet: {}", output.stderr.trim())),
                    other => Progress::Pending(format!("state {other}")),
                })
            })?
            .map_err(|timeout| ContainerError::Boot {
                image: self.image.to_string(),
                container: short_id(&self.id).to_string(),
                detail: timeout.to_string(),
            })?;
        eprintln!(
            "reference host: systemd is {} after {} ms ({} polls)",
            polled.value,
            polled.elapsed.as_millis(),
            polled.attempts
        );
        if polled.value == "degraded" {
            let failed = self
                .run("systemctl --failed --no-legend --plain", Duration::from_secs(10))
                .map(|output| output.stdout)
                .unwrap_or_default();
            eprintln!("reference host: warning: failed units:\n{failed}");
        }
        Ok(())
    }
}

impl ContainerTarget {
    /// Fails at once when PID 1 is not systemd, instead of polling a bus
    /// that will never appear.
    fn require_systemd_pid1(&self) -> Result<(), ContainerError> {
        let output = self
            .run("cat /proc/1/comm", Duration::from_secs(10))
            .map_err(|source| ContainerError::Exec {
                container: self.id.clone(),
                source,
            })?;
        let pid1 = output.stdout_trimmed();
        if pid1 != "systemd" {
            return Err(ContainerError::Boot {
                image: self.image.to_string(),
                container: short_id(&self.id).to_string(),
                detail: format!("PID 1 is `{pid1}`, not systemd"),
            });
        }
        Ok(())
    }
}

fn container_request(
    image: &ImageRef,
    keep: bool,
) -> testcontainers::ContainerRequest<GenericImage> {
    let owner_pid = std::process::id().to_string();
    let owner_host = crate::target::sweep::local_hostname();
    GenericImage::new(image.name.as_str(), image.tag.as_str())
        .with_cmd(["/lib/systemd/systemd"])
        .with_env_var("container", "docker")
        .with_cap_add("SYS_ADMIN")
        .with_cap_add("NET_ADMIN")
        .with_cap_add("SYS_PTRACE")
        .with_security_opt("seccomp=unconfined")
        .with_security_opt("apparmor=unconfined")
        .with_cgroupns_mode(CgroupnsMode::Host)
        .with_mount(Mount::bind_mount("/sys/fs/cgroup", "/sys/fs/cgroup"))
        .with_mount(Mount::tmpfs_mount("/run"))
        .with_mount(Mount::tmpfs_mount("/run/lock"))
        .with_label(SUITE_LABEL, "1")
        .with_label(OWNER_PID_LABEL, owner_pid)
        .with_label(OWNER_HOST_LABEL, owner_host)
        .with_label(KEEP_LABEL, if keep { "1" } else { "0" })
        .with_startup_timeout(Duration::from_secs(60))
}

fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

impl Target for ContainerTarget {
    fn describe(&self) -> String {
        format!("container {} ({})", short_id(&self.id), self.image)
    }

    fn kind(&self) -> TargetKind {
        TargetKind::Container
    }

    fn run(&self, script: &str, timeout: Duration) -> Result<CommandOutput, TargetError> {
        let exec_error = |source| TargetError::Exec {
            container: short_id(&self.id).to_string(),
            source,
        };
        let guard = self.container.lock().unwrap_or_else(|poison| poison.into_inner());
        let container = guard.as_ref().expect("the container handle lives until drop");

        let start = Instant::now();
        let mut result = container
            .exec(ExecCommand::new(timeout_argv(script, timeout)))
            .map_err(exec_error)?;
        let stdout = result.stdout_to_vec().map_err(exec_error)?;
        let stderr = result.stderr_to_vec().map_err(exec_error)?;

        // The streams close when the command exits, but Docker may report
        // the exit code a moment later.
        let mut status = None;
        for _ in 0..50 {
            status = result.exit_code().map_err(exec_error)?;
            if status.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(CommandOutput {
            script: script.to_string(),
            status: status.map(|code| code as i32),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            elapsed: start.elapsed(),
        })
    }

    fn provide_file(&self, local: &std::path::Path, remote: &str) -> Result<String, TargetError> {
        self.copy_into(local, remote)
    }
}

impl ContainerTarget {
    fn copy_into(&self, local: &std::path::Path, remote: &str) -> Result<String, TargetError> {
        let copy_error = |detail: String| TargetError::Copy {
            local: local.display().to_string(),
            container: short_id(&self.id).to_string(),
            detail,
        };
        let directory = remote.rsplit_once('/').map_or("/", |(dir, _)| dir);
        self.run(&format!("mkdir -p '{directory}'"), Duration::from_secs(10))?;
        let output = std::process::Command::new("docker")
            .arg("cp")
            .arg(local)
            .arg(format!("{}:{remote}", self.id))
            .output()
            .map_err(|error| copy_error(error.to_string()))?;
        if !output.status.success() {
            return Err(copy_error(String::from_utf8_lossy(&output.stderr).trim().to_string()));
        }
        Ok(remote.to_string())
    }
}

impl Drop for ContainerTarget {
    fn drop(&mut self) {
        let container = match self.container.get_mut() {
            Ok(slot) => slot.take(),
            Err(poison) => poison.into_inner().take(),
        };
        let Some(container) = container else { return };
        if self.keep {
            eprintln!(
                "reference host: kept container {} because {KEEP_VAR}=1\n  \
                 enter it:  docker exec -it {} bash\n  remove it: docker rm -f {}",
                short_id(&self.id),
                short_id(&self.id),
                short_id(&self.id)
            );
            // Skipping the handle's destructor is what keeps the container.
            std::mem::forget(container);
            return;
        }
        eprintln!("reference host: removing container {}", short_id(&self.id));
        drop(container);
    }
}
