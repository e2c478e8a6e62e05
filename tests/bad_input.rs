//! Bad input never produces a passing run: each case exits with code 2 and
//! prints one error that names what failed and what to do next.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use rstest::rstest;
use serial_test::serial;

/// Environment variables of the suite, cleared so that the caller's own
/// settings cannot leak into a case.
const SUITE_VARS: &[&str] = &[
    "ALIVE_SUITE_TARGET",
    "ALIVE_SUITE_PROFILE",
    "ALIVE_SUITE_FAULT",
    "ALIVE_SUITE_KEEP",
    "ALIVE_SUITE_ALLOW_DISRUPTION",
    "ALIVE_SUITE_IMAGE",
    "ALIVE_SUITE_REPORT_DIR",
];

fn suite(phase: &str) -> Command {
    let mut command = Command::cargo_bin("alive-suite").expect("the alive-suite binary is built with the tests");
    for var in SUITE_VARS {
        command.env_remove(var);
    }
    command.env("ALIVE_SUITE_REPORT_DIR", scratch_dir("reports"));
    command.arg(phase);
    command
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-input").join(name);
    std::fs::create_dir_all(&dir).expect("the cargo target directory is writable");
    dir
}

fn write_profile(name: &str, text: &str) -> PathBuf {
    let path = scratch_dir("profiles").join(name);
    std::fs::write(&path, text).expect("the cargo target directory is writable");
    path
}

#[rstest]
#[case::unknown_target("ALIVE_SUITE_TARGET", "vm", "unknown target `vm` in ALIVE_SUITE_TARGET; valid targets: container, local")]
#[case::bad_switch("ALIVE_SUITE_KEEP", "maybe", "invalid value `maybe` in ALIVE_SUITE_KEEP")]
#[case::unknown_fault("ALIVE_SUITE_FAULT", "no_such_fault", "unknown fault `no_such_fault` in ALIVE_SUITE_FAULT; known faults:")]
#[case::missing_fault_file("ALIVE_SUITE_FAULT", "/nonexistent/fault.sh", "failed to read fault script /nonexistent/fault.sh")]
#[case::missing_profile("ALIVE_SUITE_PROFILE", "/nonexistent/profile.toml", "failed to read host profile /nonexistent/profile.toml")]
fn invalid_setting_fails_before_setup(#[case] var: &str, #[case] value: &str, #[case] message: &str) {
    suite("phase1")
        .env(var, value)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
}

#[test]
fn profile_missing_key_names_the_key() {
    let path = write_profile("missing-service.toml", "[layout]\nroot = \"/srv/alive/prod\"\ndirectories = [\"builds\"]\n");
    suite("phase1")
        .env("ALIVE_SUITE_PROFILE", &path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("invalid host profile {}", path.display())))
        .stderr(predicate::str::contains("missing field `service`"));
}

#[test]
fn profile_invalid_value_names_the_key() {
    let default = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("harness/profiles/default.toml"))
        .expect("the default profile is readable");
    let path = write_profile("bad-unit.toml", &default.replace("unit = \"alive-prod.service\"", "unit = \"alive-prod\""));
    suite("phase1")
        .env("ALIVE_SUITE_PROFILE", &path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("key `service.unit` must end in `.service`"));
}

#[test]
fn profile_bad_duration_names_the_key() {
    let default = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("harness/profiles/default.toml"))
        .expect("the default profile is readable");
    let path = write_profile("bad-window.toml", &default.replace("phase1 = \"24h\"", "phase1 = \"a day\""));
    suite("phase1")
        .env("ALIVE_SUITE_PROFILE", &path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("windows.phase1"));
}

#[test]
fn local_target_requires_systemd() {
    if Path::new("/run/systemd/system").is_dir() {
        eprintln!("this machine runs systemd, so the local target is valid here; nothing to test");
        return;
    }
    suite("phase1")
        .env("ALIVE_SUITE_TARGET", "local")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the local host was not booted with systemd"));
}

#[test]
fn fault_on_local_target_is_rejected() {
    if !Path::new("/run/systemd/system").is_dir() {
        // Without systemd the local target fails first; the case above covers it.
        return;
    }
    suite("phase1")
        .env("ALIVE_SUITE_TARGET", "local")
        .env("ALIVE_SUITE_FAULT", "unit_disabled")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("can only be applied to the reference host"));
}

#[test]
#[serial(docker)]
fn no_docker_daemon_names_the_fix() {
    suite("phase1")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no Docker daemon responds"))
        .stderr(predicate::str::contains("ALIVE_SUITE_TARGET=local"));
}

#[test]
#[serial(docker)]
fn image_without_systemd_is_rejected() {
    let base = alive_harness::image::ensure_reference_host().expect("the reference host image builds");
    let broken = "alive-suite/no-systemd:test";
    let dockerfile = format!(
        "FROM {base}\nRUN printf '#!/bin/sh\\nexec sleep infinity\\n' > /lib/systemd/systemd && chmod 755 /lib/systemd/systemd\n"
    );
    std::process::Command::new("docker")
        .args(["build", "--quiet", "--label", "alive-suite=1", "--tag", broken, "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin is piped").write_all(dockerfile.as_bytes())?;
            child.wait()
        })
        .map(|status| assert!(status.success(), "docker build of {broken} failed"))
        .expect("docker runs");

    suite("phase1")
        .env("ALIVE_SUITE_IMAGE", broken)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("image {broken} did not boot systemd")))
        .stderr(predicate::str::contains("PID 1 is `sleep`, not systemd"));
}

#[test]
fn setup_failure_is_a_failed_junit_case() {
    let reports = scratch_dir("junit-setup");
    suite("phase1")
        .env("ALIVE_SUITE_TARGET", "vm")
        .env("ALIVE_SUITE_REPORT_DIR", &reports)
        .assert()
        .code(2);
    // The target setting itself is invalid, so no report directory is known;
    // a setting that parses but fails later writes a failed `setup` case.
    let path = write_profile("missing-everything.toml", "");
    suite("phase1")
        .env("ALIVE_SUITE_PROFILE", &path)
        .env("ALIVE_SUITE_REPORT_DIR", &reports)
        .assert()
        .code(2);
    let xml = std::fs::read_to_string(reports.join("phase1.xml")).expect("the JUnit report is written");
    assert!(xml.contains("<testcase name=\"setup\""), "no setup case in:\n{xml}");
    assert!(xml.contains("<failure"), "the setup case is not a failure in:\n{xml}");
}
