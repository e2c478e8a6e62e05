//! A load generator for HTTP/1.1 servers on loopback addresses, used to
//! measure the alive service's latency while other work loads its host.
//!
//! A *closed* model sends a fixed number of requests as fast as its
//! connections allow. An *open* model sends requests at a fixed rate and
//! measures each latency from the request's intended start, so a server
//! that stalls shows the stall as latency even when every connection is
//! waiting. [`run`] returns a [`Report`]; [`compare`] checks two reports
//! against a latency bound.

mod compare;
mod config;
mod report;
mod run;
mod schedule;
mod tally;
mod target;
mod timer;
mod worker;

pub use compare::{compare, Comparison, Verdict};
pub use config::{Config, ConfigError, Model, Requested, DEFAULT_TIMEOUT, DEFAULT_TIME_LIMIT};
pub use report::{
    format_connections, listed_quantiles, percentile_name, Errors, LatencySummary, Report,
};
pub use run::{run, run_async, RunError};
pub use target::{Target, TargetError};
