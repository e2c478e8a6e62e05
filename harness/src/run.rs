//! The main function of a phase's test target.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::check::{Check, CheckReport, Verdict};
use crate::phase::Phase;
use crate::report::{write_junit, RunRecord, TrialRecord, TrialStatus};
use crate::session::{gate_failure, ordered_checks, Session};
use crate::settings::Settings;

/// Reports of the checks that have finished, shared by the trials.
type Finished = Arc<Mutex<Vec<CheckReport>>>;

/// Runs the checks of every earlier phase as the gate, then `phase`'s own
/// checks, as libtest-mimic trials. Writes the JUnit report and returns the
/// process exit code.
pub fn run_phase(phase: Phase) -> ExitCode {
    run_phase_with_args(phase, Arguments::from_args())
}

/// Like [`run_phase`], with libtest arguments parsed by the caller.
pub fn run_phase_with_args(phase: Phase, args: Arguments) -> ExitCode {
    let suite = format!("phase{}", phase.number());

    // 1. Listing needs no target.
    if args.list {
        let trials = ordered_checks(phase).into_iter().map(|check| listing_trial(check, phase)).collect();
        return libtest_mimic::run(&args, trials).exit_code();
    }

    // 2. Set up the target; a setup failure is one failed trial in the report.
    let started = Instant::now();
    let session = match Session::from_env(phase) {
        Ok(session) => Arc::new(session),
        Err(error) => return fail_setup(&suite, &error, started),
    };

    // 3. Select the trials. Gate checks always run, whatever the filter.
    let finished: Finished = Arc::default();
    let trials: Vec<Trial> = ordered_checks(phase)
        .into_iter()
        .map(|check| check_trial(check, phase, &session, &finished))
        .filter(|trial| trial.kind() == "gate" || !args.is_filtered_out(trial))
        .collect();
    let mut args = args;
    args.filter = None;
    args.skip.clear();
    // Checks share one host and run in order, so one thread.
    args.test_threads = Some(1);

    // 4. Run them and write the report.
    let conclusion = libtest_mimic::run(&args, trials);
    let reports = std::mem::take(&mut *finished.lock().unwrap_or_else(|poison| poison.into_inner()));
    let record = RunRecord {
        suite,
        properties: run_properties(&session),
        trials: reports.iter().map(TrialRecord::from).collect(),
        elapsed: started.elapsed(),
    };
    write_report(&record, &session.settings);

    // 5. Dropping the session removes the container.
    drop(session);
    conclusion.exit_code()
}

fn check_trial(check: &'static Check, phase: Phase, session: &Arc<Session>, finished: &Finished) -> Trial {
    let session = Arc::clone(session);
    let finished = Arc::clone(finished);
    let trial = Trial::ignorable_test(check.id, move || {
        let report = match failed_gate(&finished, check.phase) {
            Some((gate, failed)) => session.blocked(check, gate, failed),
            None => session.run_check(check),
        };
        let result = match &report.verdict {
            Verdict::Passed => Ok(Completion::Completed),
            Verdict::Skipped(reason) => Ok(Completion::ignored_with(reason)),
            Verdict::Failed(_) => Err(Failed::from(report.failure_message().unwrap_or_default())),
        };
        finished.lock().unwrap_or_else(|poison| poison.into_inner()).push(report);
        result
    });
    if check.phase < phase {
        trial.with_kind("gate")
    } else {
        trial
    }
}

fn listing_trial(check: &'static Check, phase: Phase) -> Trial {
    let trial = Trial::test(check.id, || Ok(()));
    if check.phase < phase {
        trial.with_kind("gate")
    } else {
        trial
    }
}

fn failed_gate(finished: &Finished, phase: Phase) -> Option<(Phase, Vec<String>)> {
    let reports = finished.lock().unwrap_or_else(|poison| poison.into_inner());
    gate_failure(&reports, phase)
}

fn run_properties(session: &Session) -> Vec<(String, String)> {
    let mut properties = vec![
        ("target".to_string(), session.target.describe()),
        ("target_kind".to_string(), session.settings.target.to_string()),
        ("profile".to_string(), session.profile.source.display().to_string()),
        ("disruption_allowed".to_string(), session.settings.disruption_allowed().to_string()),
    ];
    if let Some(fault) = &session.fault {
        properties.push(("fault".to_string(), fault.to_string()));
    }
    properties
}

fn fail_setup(suite: &str, error: &crate::session::SetupError, started: Instant) -> ExitCode {
    let mut message = format!("error: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!("\ncaused by: {cause}"));
        source = cause.source();
    }
    eprintln!("{message}");

    let record = RunRecord {
        suite: suite.to_string(),
        properties: Vec::new(),
        trials: vec![TrialRecord {
            name: "setup".to_string(),
            group: "setup".to_string(),
            status: TrialStatus::Failed {
                message: error.to_string().lines().next().unwrap_or_default().to_string(),
                detail: message,
            },
            elapsed: started.elapsed(),
        }],
        elapsed: started.elapsed(),
    };
    if let Ok(settings) = Settings::from_env() {
        write_report(&record, &settings);
    }
    ExitCode::from(2)
}

fn write_report(record: &RunRecord, settings: &Settings) {
    match write_junit(record, &settings.report_dir) {
        Ok(path) => eprintln!("report: JUnit written to {}", path.display()),
        Err(error) => eprintln!("report: warning: failed to write JUnit to {}: {error}", settings.report_dir.display()),
    }
}
