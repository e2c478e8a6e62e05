//! Polling a condition until a deadline, with a record of what was awaited.

use std::fmt;
use std::thread;
use std::time::{Duration, Instant};

/// A condition to poll: what it waits for, for how long, and how often.
#[derive(Debug, Clone)]
pub struct Wait {
    what: String,
    deadline: Duration,
    interval: Duration,
}

/// The result of a finished wait, for evidence.
#[derive(Debug, Clone)]
pub struct Waited<T> {
    pub value: T,
    pub attempts: u32,
    pub elapsed: Duration,
}

/// A wait whose condition did not hold before its deadline.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "timed out after {} ms and {attempts} attempts waiting for {what}; last observation: {last}",
    elapsed.as_millis()
)]
pub struct WaitTimedOut {
    pub what: String,
    pub attempts: u32,
    pub elapsed: Duration,
    pub last: String,
}

impl Wait {
    /// Creates a wait for `what`, polled every 100 ms until `deadline`.
    pub fn new(what: impl Into<String>, deadline: Duration) -> Self {
        Wait {
            what: what.into(),
            deadline,
            interval: Duration::from_millis(100),
        }
    }

    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Calls `probe` until it returns `Progress::Done` or the deadline
    /// passes. `Progress::Pending` carries what the probe saw, which the
    /// timeout error reports. An `Err` from `probe` stops the wait at once
    /// and is returned unchanged.
    pub fn poll<T, E>(
        &self,
        mut probe: impl FnMut() -> Result<Progress<T>, E>,
    ) -> Result<Result<Waited<T>, WaitTimedOut>, E> {
        let start = Instant::now();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let last = match probe()? {
                Progress::Done(value) => {
                    return Ok(Ok(Waited {
                        value,
                        attempts,
                        elapsed: start.elapsed(),
                    }))
                }
                Progress::Pending(observation) => observation,
            };
            let elapsed = start.elapsed();
            if elapsed >= self.deadline {
                return Ok(Err(WaitTimedOut {
                    what: self.what.clone(),
                    attempts,
                    elapsed,
                    last,
                }));
            }
            let remaining = self.deadline - elapsed;
            thread::sleep(self.interval.min(remaining));
        }
    }

    pub fn what(&self) -> &str {
        &self.what
    }

    pub fn deadline(&self) -> Duration {
        self.deadline
    }
}

/// One poll of a condition: done with a value, or pending with what was seen.
#[derive(Debug)]
pub enum Progress<T> {
    Done(T),
    Pending(String),
}

impl<T> Waited<T> {
    /// Formats the wait for evidence: its duration, polls and deadline.
    pub fn describe(&self, deadline: Duration) -> String {
        format!(
            "after {} ms ({} polls, deadline {})",
            self.elapsed.as_millis(),
            self.attempts,
            humantime::format_duration(deadline)
        )
    }
}

impl<T> fmt::Display for Waited<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "held after {} ms and {} attempts",
            self.elapsed.as_millis(),
            self.attempts
        )
    }
}
