//! The fault self-test: proof that every check can fail.
//!
//! Each fault in `containers/faults/` gets a fresh reference host. The
//! fault is applied, the checks run, and the trial passes only when exactly
//! the checks the fault names failed. The checks are all of the fault's
//! phase and the observational checks of the earlier phases, which form
//! its gate. The earlier phases' disruptive checks are left out to keep
//! the self-test within a CI job's time; each phase's own test target runs
//! them. A coverage trial requires at least one fault for every check.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Instant;

use libtest_mimic::{Arguments, Failed, Trial};

use crate::check::Verdict;
use crate::fault::Fault;
use crate::phase::Phase;
use crate::report::{write_junit, RunRecord, TrialRecord, TrialStatus};
use crate::session::Session;
use crate::settings::{Settings, TargetKind, TARGET_VAR};

/// Runs the fault self-test as libtest-mimic trials and writes
/// `faults.xml`; returns the process exit code.
pub fn run_fault_selftest() -> ExitCode {
    run_fault_selftest_with_args(Arguments::from_args())
}

/// Like [`run_fault_selftest`], with libtest arguments parsed by the caller.
pub fn run_fault_selftest_with_args(mut args: Arguments) -> ExitCode {
    let started = Instant::now();

    // 1. Load every fault; a bad header fails the whole run.
    let faults = match Fault::all() {
        Ok(faults) => faults,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };

    // 2. One trial per fault, plus the coverage trial.
    let records = std::sync::Arc::new(std::sync::Mutex::new(Vec::<TrialRecord>::new()));
    let mut trials = vec![record_trial("fault::coverage", &records, {
        let faults = faults.clone();
        move || verify_coverage(&faults)
    })];
    for fault in faults {
        let name = format!("fault::{}", fault.name);
        trials.push(record_trial(&name, &records, move || verify_fault(&fault)));
    }

    // 3. Each fault boots its own host; running them one at a time keeps
    //    the load on a small machine low and the timings comparable.
    args.test_threads = Some(1);
    let conclusion = libtest_mimic::run(&args, trials);

    if !args.list {
        let record = RunRecord {
            suite: "faults".to_string(),
            properties: vec![("target_kind".to_string(), "container".to_string())],
            trials: std::mem::take(&mut *records.lock().unwrap_or_else(|poison| poison.into_inner())),
            elapsed: started.elapsed(),
        };
        if let Ok(settings) = Settings::from_env() {
            match write_junit(&record, &settings.report_dir) {
                Ok(path) => eprintln!("report: JUnit written to {}", path.display()),
                Err(error) => eprintln!("report: warning: failed to write JUnit: {error}"),
            }
        }
    }
    conclusion.exit_code()
}

type Records = std::sync::Arc<std::sync::Mutex<Vec<TrialRecord>>>;

/// Wraps `body` in a trial that also records its outcome for the report.
fn record_trial(
    name: &str,
    records: &Records,
    body: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> Trial {
    let records = std::sync::Arc::clone(records);
    let trial_name = name.to_string();
    Trial::test(name, move || {
        let start = Instant::now();
        let result = body();
        let status = match &result {
            Ok(()) => TrialStatus::Passed,
            Err(message) => TrialStatus::Failed {
                message: message.lines().next().unwrap_or_default().to_string(),
                detail: message.clone(),
            },
        };
        records.lock().unwrap_or_else(|poison| poison.into_inner()).push(TrialRecord {
            name: trial_name,
            group: "faults".to_string(),
            status,
            elapsed: start.elapsed(),
        });
        result.map_err(Failed::from)
    })
}

/// Fails unless every check is named by at least one fault.
fn verify_coverage(faults: &[Fault]) -> Result<(), String> {
    let covered: BTreeSet<&str> = faults.iter().flat_map(|fault| fault.breaks.iter().map(String::as_str)).collect();
    let uncovered: Vec<&str> = Phase::ALL
        .into_iter()
        .flat_map(|phase| phase.checks())
        .map(|check| check.id)
        .filter(|id| !covered.contains(id))
        .collect();
    if !uncovered.is_empty() {
        return Err(format!(
            "expected a fault in containers/faults/ for every check\nfound none for: {}",
            uncovered.join(", ")
        ));
    }
    Ok(())
}

/// Boots a reference host, applies `fault`, runs the checks up to its
/// phase, and compares the failed checks with the ones it names.
fn verify_fault(fault: &Fault) -> Result<(), String> {
    let settings = Settings::from_env().map_err(|error| error.to_string())?;
    if settings.target != TargetKind::Container {
        return Err(format!("the fault self-test runs on the reference host only; unset {TARGET_VAR}"));
    }
    let phase = fault.phase();
    let session = Session::open(settings, Some(fault.clone()), phase).map_err(|error| format!("setup failed: {error}"))?;
    let reports = session.run_all(phase, true);

    let expected: BTreeSet<&str> = fault.breaks.iter().map(String::as_str).collect();
    let failed: BTreeSet<&str> = reports
        .iter()
        .filter(|report| report.verdict.is_failed())
        .map(|report| report.id)
        .collect();
    if failed == expected {
        return Ok(());
    }

    let mut message = format!(
        "expected fault `{}` to fail exactly: {}\nfound failed: {}\n",
        fault.name,
        join(&expected),
        join(&failed)
    );
    for report in &reports {
        let expected_to_fail = expected.contains(report.id);
        let line = match &report.verdict {
            Verdict::Passed if expected_to_fail => "passed, but the fault should make it fail".to_string(),
            Verdict::Failed(error) if !expected_to_fail => format!("failed unexpectedly: {}", error.to_string().replace('\n', " / ")),
            Verdict::Skipped(reason) => format!("skipped: {reason}"),
            _ => continue,
        };
        message.push_str(&format!("  {}: {line}\n", report.id));
    }
    for report in reports.iter().filter(|report| report.verdict.is_failed() && !expected.contains(report.id)) {
        message.push_str(&format!("\n{}", report.failure_message().unwrap_or_default()));
    }
    Err(message)
}

fn join(ids: &BTreeSet<&str>) -> String {
    if ids.is_empty() {
        "(none)".to_string()
    } else {
        ids.iter().copied().collect::<Vec<_>>().join(", ")
    }
}
