//! The reference host's image: base resolution, content hash and build.

mod base;
mod build;

pub use base::{resolve_base_image, BASE_IMAGE_VAR};
pub use build::ensure_reference_host;

use std::fmt;

/// A local Docker image, by repository name and tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub name: String,
    pub tag: String,
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)
    }
}

/// The reference host image could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The `docker` client is missing or no daemon responds.
    #[error(
        "no Docker daemon responds (`docker info` failed: {detail})\n\
         start one (for example `dockerd &` as root) or set ALIVE_SUITE_TARGET=local \
         to test the systemd host the suite runs on"
    )]
    NoDaemon { detail: String },
    /// No base image could be found, pulled or bootstrapped.
    #[error(
        "failed to obtain a Debian bookworm base image: no local image, the pull failed \
         ({pull}), and the offline bootstrap failed ({bootstrap})\n\
         install debootstrap, or load a base image and name it in {BASE_IMAGE_VAR}"
    )]
    NoBase { pull: String, bootstrap: String },
    /// `docker build` of containers/reference-host failed.
    #[error("failed to build image {image} from {context}:\n{output}")]
    Build {
        image: String,
        context: String,
        output: String,
    },
    /// Reading the image definition or preparing the build context failed.
    #[error("failed to prepare the build context from {path}")]
    Context {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
