//! Running a load: one worker task per connection on a multi-thread tokio
//! runtime, then one merged report.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::config::{Config, ConfigError, Model};
use super::report::Report;
use super::schedule::Schedule;
use super::tally::Tally;
use super::worker::run_worker;

/// A load run that could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("failed to start the tokio runtime")]
    Runtime(#[source] std::io::Error),
    #[error("a load worker panicked: {0}")]
    Worker(String),
}

/// Runs the load of `config` on a new tokio runtime and returns its report.
/// Request errors are data in the report, not a `RunError`.
///
/// Call it outside any tokio runtime. Inside one, use [`run_async`].
pub fn run(config: &Config) -> Result<Report, RunError> {
    config.validate()?;
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    builder.worker_threads(config.threads.unwrap_or_else(default_threads));
    let runtime = builder.build().map_err(RunError::Runtime)?;
    runtime.block_on(run_async(config))
}

/// Returns the runtime thread count used when none is set: half the
/// available cores, at least one.
///
/// The generator always runs on the host of the server it measures, so
/// every core it keeps busy is a core the server cannot use. On 2 shared
/// cores one runtime thread used no more CPU per request than two in every
/// benchmark round, at about the same rate (ci/BENCHMARKS.md).
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1))
}

/// Runs the load of `config` on the current multi-thread tokio runtime.
pub async fn run_async(config: &Config) -> Result<Report, RunError> {
    config.validate()?;
    let config = Arc::new(config.clone());

    // Every worker takes its slots from one schedule that starts now.
    let start = Instant::now();
    let schedule = Arc::new(Schedule::new(config.model, start, config.time_limit));
    let mut workers = JoinSet::new();
    for _ in 0..config.connections {
        let config = Arc::clone(&config);
        let schedule = Arc::clone(&schedule);
        workers.spawn(async move { run_worker(&config.target, config.timeout, &schedule).await });
    }

    // Merge the workers' tallies as they finish. Returning early drops
    // `workers`, which aborts the workers still running.
    let mut total = Tally::new();
    while let Some(finished) = workers.join_next().await {
        let tally = finished.map_err(|error| RunError::Worker(error.to_string()))?;
        total.merge(&tally);
    }
    let duration = start.elapsed();

    let time_limit_reached = stopped_by_time_limit(&config, &total, duration);
    Ok(Report::new(&config, &total, duration, time_limit_reached))
}

/// Returns whether the time limit, rather than the model, ended the run.
fn stopped_by_time_limit(config: &Config, total: &Tally, duration: Duration) -> bool {
    if duration < config.time_limit {
        return false;
    }
    match config.model {
        Model::Closed { requests } => total.sent < requests,
        Model::Open {
            duration: planned, ..
        } => planned > config.time_limit,
    }
}

#[cfg(test)]
mod tests {
    use super::default_threads;

    #[test]
    fn default_threads_leave_half_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let threads = default_threads();
        assert!(threads >= 1, "threads: {threads}");
        assert!(threads <= cores.div_ceil(2), "threads: {threads} on {cores} cores");
    }
}
