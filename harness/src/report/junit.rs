//! JUnit XML, one file per test target.

use std::path::{Path, PathBuf};

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::record::{RunRecord, TrialStatus};

/// Writes `run` to `<dir>/<suite>.xml` and returns the path.
pub fn write_junit(run: &RunRecord, dir: &Path) -> std::io::Result<PathBuf> {
    let mut suite = TestSuite::new(run.suite.as_str());
    suite.set_time(run.elapsed);
    for (name, value) in &run.properties {
        suite.add_property(Property::new(name.as_str(), value.as_str()));
    }
    for trial in &run.trials {
        let status = match &trial.status {
            TrialStatus::Passed => TestCaseStatus::success(),
            TrialStatus::Failed { message, detail } => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(message.as_str());
                status.set_description(detail.as_str());
                status
            }
            TrialStatus::Skipped { reason } => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(reason.as_str());
                status
            }
        };
        let mut case = TestCase::new(trial.name.as_str(), status);
        case.set_classname(format!("{}.{}", run.suite, trial.group.replace(' ', "")));
        case.set_time(trial.elapsed);
        suite.add_test_case(case);
    }

    let mut report = Report::new(format!("alive isolation suite: {}", run.suite));
    report.set_time(run.elapsed);
    report.add_test_suite(suite);

    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{}.xml", run.suite));
    let xml = report
        .to_string()
        .map_err(|error| std::io::Error::other(error.to_string()))?;
    std::fs::write(&path, xml)?;
    Ok(path)
}
