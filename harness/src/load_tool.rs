//! The `alive-load` program on the target: found or built on this machine,
//! then provided to the target, where it sends load to 127.0.0.1 only.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::check::{shell_quote, CheckContext, CheckError};
use crate::load::Report;
use crate::paths::target_dir;

/// A ready `alive-load` binary to use instead of building one.
pub const LOAD_BIN_VAR: &str = "ALIVE_SUITE_LOAD_BIN";

/// Path of the binary inside a container target.
const REMOTE_PATH: &str = "/usr/local/lib/alive-suite/alive-load";

/// Prefix of the scope name that [`command`] runs the load generator in.
/// The process ID of the starting shell completes the name.
pub const SCOPE_PREFIX: &str = "alive-suite-load-";

/// The local binary, once found or built in this process.
static LOCAL_BINARY: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Returns the path of `alive-load` on the target, building and copying
/// it first when needed.
pub fn ensure(ctx: &CheckContext) -> Result<String, CheckError> {
    let local = local_binary()?;
    ctx.note(format!("load generator: {}", local.display()));
    Ok(ctx.target.provide_file(&local, REMOTE_PATH)?)
}

/// Returns a shell command that runs `binary` (as returned by [`ensure`])
/// with `arguments` and `--json`, in a transient scope in production's
/// slice, or directly when that slice is not active.
///
/// The generator measures latency from each request's intended start, so
/// its own wait for a CPU counts as production's latency. In production's
/// slice it has production's CPU weight, so staging's work cannot delay it
/// more than production. The scope ends with the process.
pub fn command(ctx: &CheckContext, binary: &str, arguments: &str) -> String {
    in_slice(&ctx.profile.production_build.slice, &shell_quote(binary), &format!("{arguments} --json"))
}

/// Builds the shell command of [`command`]: `program` with `arguments` in a
/// transient scope in `slice` when the slice is active. Otherwise the
/// program runs directly and a notice goes to standard error.
fn in_slice(slice: &str, program: &str, arguments: &str) -> String {
    let quoted = shell_quote(slice);
    let notice = shell_quote(&format!("load generator: {slice} is not active; running outside it"));
    format!(
        "if systemctl is-active --quiet {quoted}; then \
systemd-run --quiet --scope --collect --slice={quoted} --unit=\"{SCOPE_PREFIX}$$\" --description='alive-suite load generator' -- {program} {arguments}; \
else echo {notice} >&2; {program} {arguments}; fi"
    )
}

/// Runs `alive-load` on the target with `arguments` and parses its report.
pub fn run(ctx: &CheckContext, label: &str, arguments: &str) -> Result<Report, CheckError> {
    let binary = ensure(ctx)?;
    let output = ctx.run_with_timeout(
        label,
        &command(ctx, &binary, arguments),
        std::time::Duration::from_secs(900),
    )?;
    if !output.success() {
        return Err(CheckError::Query {
            what: label.to_string(),
            status: format!("{:?}", output.status),
        });
    }
    serde_json::from_str(output.stdout_trimmed()).map_err(|error| CheckError::Parse {
        what: format!("report of {label}"),
        detail: error.to_string(),
    })
}

fn local_binary() -> Result<PathBuf, CheckError> {
    let mut slot = LOCAL_BINARY.lock().unwrap_or_else(|poison| poison.into_inner());
    if let Some(path) = slot.as_ref() {
        return Ok(path.clone());
    }
    let path = find_or_build()?;
    *slot = Some(path.clone());
    Ok(path)
}

/// Looks for `ALIVE_SUITE_LOAD_BIN`, then an `alive-load` beside the running
/// program (as shipped with `alive-suite`), then builds a static one with
/// cargo so that it runs in any Linux container.
fn find_or_build() -> Result<PathBuf, CheckError> {
    if let Some(path) = std::env::var_os(LOAD_BIN_VAR) {
        return Ok(PathBuf::from(path));
    }
    if let Some(sibling) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("alive-load")))
        .filter(|path| path.is_file() && is_static(path))
    {
        return Ok(sibling);
    }
    build_static()
}

fn is_static(path: &Path) -> bool {
    Command::new("ldd")
        .arg(path)
        .output()
        .map(|output| {
            let text = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
            text.contains("not a dynamic executable") || text.contains("statically linked")
        })
        .unwrap_or(false)
}

fn build_static() -> Result<PathBuf, CheckError> {
    let build_error = |detail: String| CheckError::Parse {
        what: "the alive-load build".to_string(),
        detail: format!("{detail}; set {LOAD_BIN_VAR} to a statically linked alive-load instead"),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let host = host_triple(&cargo).ok_or_else(|| build_error("failed to read the host triple from rustc -vV".to_string()))?;
    let build_dir = target_dir().join("alive-suite/loadgen");
    eprintln!("load: building a static alive-load for {host} in {}", build_dir.display());

    // A separate target directory keeps these RUSTFLAGS from invalidating
    // the main build, and --target keeps them off build scripts.
    let output = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "-p", "alive-harness", "--bin", "alive-load"])
        .args(["--target", &host])
        .arg("--target-dir")
        .arg(&build_dir)
        .current_dir(crate::paths::repository_root())
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .output()
        .map_err(|error| build_error(format!("failed to run {cargo}: {error}")))?;
    if !output.status.success() {
        return Err(build_error(format!("cargo failed: {}", String::from_utf8_lossy(&output.stderr).trim())));
    }
    Ok(build_dir.join(&host).join("release/alive-load"))
}

fn host_triple(cargo: &str) -> Option<String> {
    let rustc = Path::new(cargo).with_file_name("rustc");
    let rustc = if rustc.is_file() { rustc } else { PathBuf::from("rustc") };
    let output = Command::new(rustc).arg("-vV").output().ok()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_string))
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::in_slice;

    fn sh(script: &str) -> std::process::Output {
        Command::new("sh").arg("-c").arg(script).output().expect("failed to run sh")
    }

    /// Without an active slice of that name the program runs directly, with
    /// its arguments, and the notice names the slice.
    #[test]
    fn in_slice_runs_directly_without_the_slice() {
        let output = sh(&in_slice("alive-suite-test-absent.slice", "echo", "ran 'with arguments'"));
        assert_eq!(String::from_utf8_lossy(&output.stdout), "ran with arguments\n");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("alive-suite-test-absent.slice is not active"), "stderr: {stderr}");
    }

    #[test]
    fn in_slice_uses_a_scope_in_the_slice() {
        let script = in_slice("alive-prod.slice", "/bin/load", "--rate 5");
        assert!(
            script.contains("systemd-run --quiet --scope --collect --slice='alive-prod.slice' --unit=\"alive-suite-load-$$\""),
            "script: {script}"
        );
        assert!(script.contains("-- /bin/load --rate 5;"), "script: {script}");
    }
}
