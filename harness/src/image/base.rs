//! Finding a Debian bookworm base image: a local one, a pull, or an
//! offline bootstrap from the build host's own apt mirror.

use std::process::Command;

use super::{ImageError, ImageRef};
use crate::paths::repository_root;

/// Names a local image to use as the base instead of the search below.
pub const BASE_IMAGE_VAR: &str = "ALIVE_SUITE_BASE_IMAGE";

/// The image that a pull requests from a registry.
const REGISTRY_BASE: &str = "debian:bookworm";
/// The tag under which the offline bootstrap imports its root file system.
const BOOTSTRAP_BASE: &str = "alive-suite/debian-base:bookworm";

/// Returns a local base image, trying in order: `ALIVE_SUITE_BASE_IMAGE`,
/// a local `debian:bookworm`, an earlier bootstrap, a pull, and a new
/// bootstrap with `containers/base/debootstrap.sh`.
pub fn resolve_base_image() -> Result<String, ImageError> {
    if let Ok(name) = std::env::var(BASE_IMAGE_VAR) {
        if !name.is_empty() {
            return Ok(name);
        }
    }
    for candidate in [REGISTRY_BASE, BOOTSTRAP_BASE] {
        if image_exists(candidate) {
            eprintln!("image: base {candidate} found locally");
            return Ok(candidate.to_string());
        }
    }

    eprintln!("image: pulling base {REGISTRY_BASE}");
    let pull = match docker(&["pull", REGISTRY_BASE]) {
        Ok(_) => return Ok(REGISTRY_BASE.to_string()),
        Err(detail) => detail,
    };
    eprintln!("image: pull failed ({pull}); bootstrapping {BOOTSTRAP_BASE} from this host's apt mirror");

    let script = repository_root().join("containers/base/debootstrap.sh");
    let bootstrap = Command::new("bash").arg(&script).arg(BOOTSTRAP_BASE).status();
    match bootstrap {
        Ok(status) if status.success() => Ok(BOOTSTRAP_BASE.to_string()),
        Ok(status) => Err(ImageError::NoBase {
            pull,
            bootstrap: format!("{} exited with {status}", script.display()),
        }),
        Err(error) => Err(ImageError::NoBase {
            pull,
            bootstrap: format!("failed to run {}: {error}", script.display()),
        }),
    }
}

/// Returns whether the daemon has `image` locally.
pub(super) fn image_exists(image: &str) -> bool {
    docker(&["image", "inspect", "--format", "{{.Id}}", image]).is_ok()
}

/// Fails with [`ImageError::NoDaemon`] unless `docker info` succeeds.
pub(super) fn require_daemon() -> Result<(), ImageError> {
    docker(&["info", "--format", "{{.ServerVersion}}"])
        .map(|_| ())
        .map_err(|detail| ImageError::NoDaemon { detail })
}

/// Runs the docker client and returns its stdout, or its stderr as the error.
pub(super) fn docker(args: &[&str]) -> Result<String, String> {
    let output = Command::new("docker")
        .args(args)
        .output()
        .map_err(|error| format!("failed to run `docker`: {error}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr.trim().lines().last().unwrap_or("no output").to_string())
    }
}

impl ImageRef {
    /// Splits `name:tag`; a reference without a tag gets `latest`.
    pub fn parse(reference: &str) -> ImageRef {
        match reference.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => ImageRef {
                name: name.to_string(),
                tag: tag.to_string(),
            },
            _ => ImageRef {
                name: reference.to_string(),
                tag: "latest".to_string(),
            },
        }
    }
}
