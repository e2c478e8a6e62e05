//! The result of a load run: counts, rate and latency distribution, as
//! JSON for programs and as a short summary for people.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::config::{Config, Requested};
use super::tally::Tally;

/// Returns the quantiles listed in [`Report::percentiles`]: 0.00 to 0.99
/// in steps of 0.01, then 0.995, 0.999, 0.9999 and 1.0.
pub fn listed_quantiles() -> impl Iterator<Item = f64> {
    (0..100)
        .map(|step| f64::from(step) / 100.0)
        .chain([0.995, 0.999, 0.9999, 1.0])
}

/// The result of one load run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `closed` or `open`.
    pub model: String,
    pub url: String,
    pub connections: usize,
    pub requested: Requested,
    /// Requests attempted, including those whose connection failed. Equal
    /// to `ok` plus all errors.
    pub sent: u64,
    /// Requests that received a 2xx response.
    pub ok: u64,
    /// Open model: requests taken after their intended start because all
    /// connections were busy. Always 0 in the closed model.
    pub late: u64,
    /// Whether the run's time limit stopped it before all requested
    /// requests were sent.
    pub time_limit_reached: bool,
    pub errors: Errors,
    /// Time from the start of the run until the last response or error.
    pub duration_s: f64,
    /// Achieved rate: `ok / duration_s`.
    pub rate_per_s: f64,
    /// Latencies of the 2xx responses only.
    pub latency_us: LatencySummary,
    /// `[quantile, latency in µs]` pairs at the quantiles of
    /// [`listed_quantiles`], of the 2xx responses. Empty when `ok` is 0.
    pub percentiles: Vec<(f64, u64)>,
}

/// Requests that did not get a 2xx response, by cause.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Errors {
    /// Connection refused, reset, failed or closed before a response.
    pub connect: u64,
    /// No complete response within the request timeout.
    pub timeout: u64,
    /// Complete responses with a status other than 2xx.
    pub status: u64,
    /// Any other failure, such as a response that is not valid HTTP.
    pub other: u64,
    /// The `status` count split by status code.
    pub by_status: BTreeMap<u16, u64>,
}

impl Errors {
    pub fn total(&self) -> u64 {
        self.connect + self.timeout + self.status + self.other
    }
}

/// Summary of a latency distribution, in µs. All values are 0 when
/// `count` is 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub count: u64,
    pub min: u64,
    pub p50: u64,
    pub p90: u64,
    pub p95: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub mean: f64,
}

impl Report {
    /// Builds the report of a finished run from its merged tally.
    pub(crate) fn new(
        config: &Config,
        tally: &Tally,
        duration: Duration,
        time_limit_reached: bool,
    ) -> Report {
        let duration_s = duration.as_secs_f64();
        let rate_per_s = if duration_s > 0.0 {
            tally.ok as f64 / duration_s
        } else {
            0.0
        };
        Report {
            model: config.model.name().to_string(),
            url: config.target.url().to_string(),
            connections: config.connections,
            requested: config.model.into(),
            sent: tally.sent,
            ok: tally.ok,
            late: tally.late,
            time_limit_reached,
            errors: Errors {
                connect: tally.connect,
                timeout: tally.timeout,
                status: tally.by_status.values().sum(),
                other: tally.other,
                by_status: tally.by_status.clone(),
            },
            duration_s,
            rate_per_s,
            latency_us: summarize(&tally.latency_us),
            percentiles: percentiles(&tally.latency_us),
        }
    }

    /// Returns the latency in µs at the listed quantile closest to
    /// `quantile` from above, with that quantile, or `None` when the report
    /// has no latencies or lists no quantile that high.
    pub fn latency_at(&self, quantile: f64) -> Option<(f64, u64)> {
        // The listed quantiles are decimal fractions parsed from JSON, so
        // a small tolerance keeps 0.99 from missing 0.99000000000000001.
        self.percentiles
            .iter()
            .find(|(listed, _)| *listed >= quantile - 1e-9)
            .copied()
    }
}

fn summarize(histogram: &Histogram<u64>) -> LatencySummary {
    if histogram.is_empty() {
        return LatencySummary::default();
    }
    LatencySummary {
        count: histogram.len(),
        min: histogram.min(),
        p50: histogram.value_at_quantile(0.5),
        p90: histogram.value_at_quantile(0.9),
        p95: histogram.value_at_quantile(0.95),
        p99: histogram.value_at_quantile(0.99),
        p999: histogram.value_at_quantile(0.999),
        max: histogram.max(),
        mean: histogram.mean(),
    }
}

fn percentiles(histogram: &Histogram<u64>) -> Vec<(f64, u64)> {
    if histogram.is_empty() {
        return Vec::new();
    }
    listed_quantiles()
        .map(|quantile| (quantile, histogram.value_at_quantile(quantile)))
        .collect()
}

/// Formats a quantile as a percentile name: 0.5 as `p50`, 0.999 as `p99.9`.
pub fn percentile_name(quantile: f64) -> String {
    let percent = format!("{:.4}", quantile * 100.0);
    let percent = percent.trim_end_matches('0').trim_end_matches('.');
    format!("p{percent}")
}

/// Formats a connection count with its noun: `1 connection`, `2 connections`.
pub fn format_connections(count: usize) -> String {
    if count == 1 {
        "1 connection".to_string()
    } else {
        format!("{count} connections")
    }
}

/// Formats µs as milliseconds with 3 decimals.
pub(crate) fn format_ms(micros: u64) -> String {
    format!("{:.3} ms", micros as f64 / 1000.0)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.requested {
            Requested::Closed { requests } => writeln!(
                f,
                "closed model: {requests} requests to {} over {}",
                self.url,
                format_connections(self.connections)
            )?,
            Requested::Open {
                rate_per_s,
                duration_s,
            } => writeln!(
                f,
                "open model: {rate_per_s} requests/s for {duration_s} s to {} over {}",
                self.url,
                format_connections(self.connections)
            )?,
        }

        let errors = &self.errors;
        writeln!(
            f,
            "sent {}, ok {}, errors {} (connect {}, timeout {}, status {}, other {})",
            self.sent,
            self.ok,
            errors.total(),
            errors.connect,
            errors.timeout,
            errors.status,
            errors.other
        )?;
        if !errors.by_status.is_empty() {
            let statuses: Vec<String> = errors
                .by_status
                .iter()
                .map(|(status, count)| format!("{status}: {count}"))
                .collect();
            writeln!(f, "error statuses: {}", statuses.join(", "))?;
        }
        if matches!(self.requested, Requested::Open { .. }) {
            writeln!(f, "late starts (all connections busy): {}", self.late)?;
        }
        if self.time_limit_reached {
            writeln!(f, "stopped at the time limit before all requests were sent")?;
        }
        writeln!(
            f,
            "duration {:.3} s, {:.1} ok/s",
            self.duration_s, self.rate_per_s
        )?;

        let latency = &self.latency_us;
        write!(
            f,
            "latency of 2xx responses (n={}): min {}, p50 {}, p90 {}, p95 {}, p99 {}, p99.9 {}, max {}, mean {:.3} ms",
            latency.count,
            format_ms(latency.min),
            format_ms(latency.p50),
            format_ms(latency.p90),
            format_ms(latency.p95),
            format_ms(latency.p99),
            format_ms(latency.p999),
            format_ms(latency.max),
            latency.mean / 1000.0
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::load::tally::Outcome;

    fn tally_of_1_to_1000_us() -> Tally {
        let mut tally = Tally::new();
        for micros in 1..=1000 {
            tally.record(Outcome::Ok, Duration::from_micros(micros), false);
        }
        tally
    }

    fn report_of(tally: &Tally) -> Report {
        let config = Config::closed("http://127.0.0.1:8080/", tally.sent).unwrap();
        Report::new(&config, tally, Duration::from_secs(2), false)
    }

    #[test]
    fn listed_quantiles_cover_zero_to_one() {
        let quantiles: Vec<f64> = listed_quantiles().collect();
        assert_eq!(quantiles.len(), 104);
        assert_eq!(quantiles[0], 0.0);
        assert_eq!(quantiles[1], 0.01);
        assert_eq!(quantiles[99], 0.99);
        assert_eq!(&quantiles[100..], &[0.995, 0.999, 0.9999, 1.0]);
        assert!(
            quantiles.windows(2).all(|pair| pair[0] < pair[1]),
            "quantiles must increase"
        );
    }

    #[test]
    fn percentiles_follow_the_distribution() {
        let report = report_of(&tally_of_1_to_1000_us());

        assert_eq!(report.percentiles.len(), 104);
        assert_eq!(report.percentiles[0], (0.0, 1));
        assert_eq!(report.percentiles[50], (0.5, 500));
        assert_eq!(report.percentiles[99], (0.99, 990));
        assert_eq!(report.percentiles[103], (1.0, 1000));
        assert!(
            report
                .percentiles
                .windows(2)
                .all(|pair| pair[0].1 <= pair[1].1),
            "latencies must not decrease with the quantile: {:?}",
            report.percentiles
        );
    }

    #[test]
    fn summary_matches_percentiles() {
        let report = report_of(&tally_of_1_to_1000_us());
        let latency = &report.latency_us;

        assert_eq!(latency.count, 1000);
        assert_eq!(latency.min, 1);
        assert_eq!(latency.p50, 500);
        assert_eq!(latency.p99, 990);
        assert_eq!(latency.p999, 999);
        assert_eq!(latency.max, 1000);
        assert!((latency.mean - 500.5).abs() < 1.0, "mean {}", latency.mean);
        assert_eq!(report.rate_per_s, 500.0);
    }

    #[test]
    fn report_without_samples_lists_no_percentiles() {
        let mut tally = Tally::new();
        tally.record(Outcome::Connect, Duration::ZERO, false);
        let report = report_of(&tally);

        assert_eq!(report.latency_us, LatencySummary::default());
        assert!(report.percentiles.is_empty());
        assert_eq!(report.latency_at(0.5), None);
        assert_eq!(report.errors.total(), 1);
    }

    #[test]
    fn latency_at_picks_next_listed_quantile() {
        let report = report_of(&tally_of_1_to_1000_us());

        assert_eq!(report.latency_at(0.99), Some((0.99, 990)));
        assert_eq!(report.latency_at(0.985), Some((0.99, 990)));
        assert_eq!(report.latency_at(0.9995), Some((0.9999, 1000)));
        assert_eq!(report.latency_at(1.5), None);
    }

    #[test]
    fn json_round_trip_keeps_report() {
        let mut tally = tally_of_1_to_1000_us();
        tally.record(Outcome::Status(503), Duration::ZERO, false);
        let report = report_of(&tally);

        let json = serde_json::to_string(&report).unwrap();
        let parsed: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, report);

        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["model"], "closed");
        assert_eq!(value["requested"]["requests"], 1001);
        assert_eq!(value["errors"]["by_status"]["503"], 1);
        assert_eq!(value["percentiles"][99][0], 0.99);
        assert_eq!(value["percentiles"][99][1], 990);
    }

    #[test]
    fn summary_names_model_and_counts() {
        let mut tally = tally_of_1_to_1000_us();
        tally.record(Outcome::Status(503), Duration::ZERO, false);
        let report = report_of(&tally);
        let summary = report.to_string();

        assert!(
            summary.starts_with(
                "closed model: 1001 requests to http://127.0.0.1:8080/ over 1 connection\n"
            ),
            "{summary}"
        );
        assert!(
            summary
                .contains("sent 1001, ok 1000, errors 1 (connect 0, timeout 0, status 1, other 0)"),
            "{summary}"
        );
        assert!(summary.contains("error statuses: 503: 1"), "{summary}");
        assert!(summary.contains("p99 0.990 ms"), "{summary}");
        assert!(!summary.contains("late starts"), "{summary}");
    }

    #[test]
    fn format_connections_uses_singular_for_one() {
        assert_eq!(format_connections(1), "1 connection");
        assert_eq!(format_connections(50), "50 connections");
    }

    #[test]
    fn percentile_name_formats_quantiles() {
        assert_eq!(percentile_name(0.5), "p50");
        assert_eq!(percentile_name(0.99), "p99");
        assert_eq!(percentile_name(0.999), "p99.9");
        assert_eq!(percentile_name(0.9999), "p99.99");
        assert_eq!(percentile_name(1.0), "p100");
    }
}
