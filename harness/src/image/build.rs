//! Building the reference host image from `containers/reference-host`,
//! tagged by a hash of its files so that an unchanged definition is reused.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::base::{docker, image_exists, require_daemon, resolve_base_image};
use super::{ImageError, ImageRef};
use crate::paths::{repository_root, target_dir};

/// Repository name of the reference host image.
const IMAGE_NAME: &str = "alive-suite/reference-host";
/// Name of the CA bundle file that the Dockerfile passes to npm.
const CA_FILE: &str = "host-ca.crt";

/// Returns the reference host image, building it when no image with the
/// current content hash exists.
pub fn ensure_reference_host() -> Result<ImageRef, ImageError> {
    require_daemon()?;
    let definition = repository_root().join("containers/reference-host");
    let image = ImageRef {
        name: IMAGE_NAME.to_string(),
        tag: content_hash(&definition)?,
    };
    if image_exists(&image.to_string()) {
        eprintln!("image: {image} is up to date");
        return Ok(image);
    }

    let base = resolve_base_image()?;
    let context = prepare_context(&definition)?;
    build(&image, &base, &context)?;
    Ok(image)
}

/// Hashes every file under `dir` (relative path, mode and content) in a
/// fixed order and returns the first 16 hex digits.
fn content_hash(dir: &Path) -> Result<String, ImageError> {
    let mut files = Vec::new();
    collect_files(dir, &mut files).map_err(|source| context_error(dir, source))?;
    files.sort();

    let mut hasher = Sha256::new();
    for file in &files {
        let relative = file.strip_prefix(dir).unwrap_or(file);
        let bytes = fs::read(file).map_err(|source| context_error(file, source))?;
        let mode = file_mode(file).map_err(|source| context_error(file, source))?;
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(mode.to_le_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let digest = hasher.finalize();
    Ok(digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect())
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn file_mode(path: &Path) -> std::io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(fs::metadata(path)?.permissions().mode())
}

/// Copies the definition to a fresh directory under `target/` and adds the
/// host's CA bundle, which npm inside the build needs behind a TLS proxy.
fn prepare_context(definition: &Path) -> Result<PathBuf, ImageError> {
    let context = target_dir().join("alive-suite/image-context");
    if context.exists() {
        fs::remove_dir_all(&context).map_err(|source| context_error(&context, source))?;
    }
    copy_tree(definition, &context).map_err(|source| context_error(definition, source))?;

    let ca_target = context.join(CA_FILE);
    match host_ca_bundle() {
        Some(bundle) => fs::copy(&bundle, &ca_target)
            .map(|_| ())
            .map_err(|source| context_error(&bundle, source))?,
        None => fs::write(&ca_target, b"").map_err(|source| context_error(&ca_target, source))?,
    }
    Ok(context)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let destination = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &destination)?;
        } else {
            fs::copy(entry.path(), destination)?;
        }
    }
    Ok(())
}

/// Returns the CA bundle the host's npm trusts: npm's `cafile` setting,
/// then `NODE_EXTRA_CA_CERTS`, then the Debian system bundle.
fn host_ca_bundle() -> Option<PathBuf> {
    let npm_cafile = npm_config("cafile");
    let candidates = [
        npm_cafile,
        std::env::var("NODE_EXTRA_CA_CERTS").ok(),
        Some("/etc/ssl/certs/ca-certificates.crt".to_string()),
    ];
    candidates
        .into_iter()
        .flatten()
        .filter(|path| !path.is_empty() && path != "null" && path != "undefined")
        .map(PathBuf::from)
        .find(|path| path.is_file())
}

/// Reads one npm setting from the host, or `None` when npm is absent.
fn npm_config(key: &str) -> Option<String> {
    let output = Command::new("npm").args(["config", "get", key]).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn build(image: &ImageRef, base: &str, context: &Path) -> Result<(), ImageError> {
    let registry = npm_config("registry").unwrap_or_default();
    let log_path = context.with_file_name("image-build.log");
    eprintln!("image: building {image} on {base} (log: {})", log_path.display());
    let start = Instant::now();

    let output = Command::new("docker")
        .arg("build")
        .args(["--build-arg", &format!("BASE_IMAGE={base}")])
        .args(["--build-arg", &format!("NPM_REGISTRY={registry}")])
        .args(["--label", "alive-suite=1"])
        .args(["--tag", &image.to_string()])
        .arg(context)
        .output()
        .map_err(|source| context_error(context, source))?;
    let mut log = output.stdout.clone();
    log.extend_from_slice(&output.stderr);
    let _ = fs::write(&log_path, &log);

    if !output.status.success() {
        let text = String::from_utf8_lossy(&log);
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(ImageError::Build {
            image: image.to_string(),
            context: context.display().to_string(),
            output: tail.join("\n"),
        });
    }
    eprintln!("image: built {image} in {:.1} s", start.elapsed().as_secs_f64());
    // A hash tag per definition leaves older images behind; `latest` points
    // at the newest so that a person can find it.
    let _ = docker(&["tag", &image.to_string(), &format!("{IMAGE_NAME}:latest")]);
    Ok(())
}

fn context_error(path: &Path, source: std::io::Error) -> ImageError {
    ImageError::Context {
        path: path.display().to_string(),
        source,
    }
}
