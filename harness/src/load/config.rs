//! Settings of a load run: the target, the load model and the limits.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::target::{Target, TargetError};

/// The default time limit of one request, connect included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The default time limit of a whole run. It bounds closed-model runs,
/// whose length otherwise depends on the server.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(600);

/// The pacing of requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// `requests` requests in total, shared by all connections. Each
    /// connection sends its next request when the previous one finished,
    /// like `ab -n N -c C`. Latency runs from the actual send.
    Closed { requests: u64 },
    /// One request every `1 / rate` seconds for `duration`, at fixed
    /// intended start times. Latency runs from the intended start, so time
    /// spent waiting for a free connection counts as latency.
    Open { rate: f64, duration: Duration },
}

impl Model {
    /// Returns the model's name in reports: `closed` or `open`.
    pub fn name(&self) -> &'static str {
        match self {
            Model::Closed { .. } => "closed",
            Model::Open { .. } => "open",
        }
    }
}

/// The requested amount of load, as reports show it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Requested {
    Closed { requests: u64 },
    Open { rate_per_s: f64, duration_s: f64 },
}

impl From<Model> for Requested {
    fn from(model: Model) -> Self {
        match model {
            Model::Closed { requests } => Requested::Closed { requests },
            Model::Open { rate, duration } => Requested::Open {
                rate_per_s: rate,
                duration_s: duration.as_secs_f64(),
            },
        }
    }
}

/// A complete description of one load run.
#[derive(Debug, Clone)]
pub struct Config {
    pub target: Target,
    pub model: Model,
    /// Concurrent HTTP/1.1 keep-alive connections, one per worker.
    pub connections: usize,
    /// Time limit of one request, connect included.
    pub timeout: Duration,
    /// No request starts after this much time from the start of the run.
    pub time_limit: Duration,
    /// Runtime worker threads; `None` uses half the available cores, at
    /// least one.
    pub threads: Option<usize>,
}

/// A setting that a run cannot use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("invalid {setting} {value}: {expected}")]
    Invalid {
        setting: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl Config {
    /// Creates a closed-model run of `requests` requests over one connection.
    pub fn closed(url: &str, requests: u64) -> Result<Config, ConfigError> {
        Config::new(url, Model::Closed { requests })
    }

    /// Creates an open-model run at `rate` requests per second for
    /// `duration`, over one connection.
    pub fn open(url: &str, rate: f64, duration: Duration) -> Result<Config, ConfigError> {
        Config::new(url, Model::Open { rate, duration })
    }

    /// Creates a run of `model` against `url` with default limits, after
    /// checking `url` and `model`.
    pub fn new(url: &str, model: Model) -> Result<Config, ConfigError> {
        let config = Config {
            target: Target::parse(url)?,
            model,
            connections: 1,
            timeout: DEFAULT_TIMEOUT,
            time_limit: DEFAULT_TIME_LIMIT,
            threads: None,
        };
        config.validate()?;
        Ok(config)
    }

    pub fn with_connections(mut self, connections: usize) -> Self {
        self.connections = connections;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_time_limit(mut self, time_limit: Duration) -> Self {
        self.time_limit = time_limit;
        self
    }

    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Checks every setting. [`super::run`] calls it first, because the
    /// `with_*` builders do not check their values.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self.model {
            Model::Closed { requests } => {
                check(
                    requests > 0,
                    "request count",
                    requests,
                    "expected at least 1",
                )?;
            }
            Model::Open { rate, duration } => {
                check(
                    rate.is_finite() && rate > 0.0,
                    "rate",
                    format!("{rate}/s"),
                    "expected a positive number of requests per second",
                )?;
                check(
                    !duration.is_zero(),
                    "duration",
                    format!("{duration:?}"),
                    "expected more than 0 s",
                )?;
            }
        }
        check(
            self.connections > 0,
            "connection count",
            self.connections,
            "expected at least 1",
        )?;
        check(
            !self.timeout.is_zero(),
            "timeout",
            format!("{:?}", self.timeout),
            "expected more than 0 s",
        )?;
        check(
            !self.time_limit.is_zero(),
            "time limit",
            format!("{:?}", self.time_limit),
            "expected more than 0 s",
        )?;
        if let Some(threads) = self.threads {
            check(threads > 0, "thread count", threads, "expected at least 1")?;
        }
        Ok(())
    }
}

fn check(
    holds: bool,
    setting: &'static str,
    value: impl ToString,
    expected: &'static str,
) -> Result<(), ConfigError> {
    if holds {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            setting,
            value: value.to_string(),
            expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_rejects_zero_and_negative_settings() {
        let url = "http://127.0.0.1:1/";
        assert!(Config::closed(url, 0).is_err());
        assert!(Config::open(url, 0.0, Duration::from_secs(1)).is_err());
        assert!(Config::open(url, -5.0, Duration::from_secs(1)).is_err());
        assert!(Config::open(url, f64::NAN, Duration::from_secs(1)).is_err());
        assert!(Config::open(url, 10.0, Duration::ZERO).is_err());

        let config = Config::closed(url, 1).unwrap();
        assert!(config.clone().with_connections(0).validate().is_err());
        assert!(config
            .clone()
            .with_timeout(Duration::ZERO)
            .validate()
            .is_err());
        assert!(config
            .clone()
            .with_time_limit(Duration::ZERO)
            .validate()
            .is_err());
        assert!(config.clone().with_threads(0).validate().is_err());
        assert!(config.with_connections(8).validate().is_ok());
    }

    #[test]
    fn new_rejects_non_loopback_url() {
        let error = Config::closed("http://192.0.2.1/", 1).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::Target(TargetError::NotLoopback { .. })
        ));
    }
}
