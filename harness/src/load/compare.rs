//! Comparing the latency of two runs: a baseline run and a run made while
//! something else loads the host.

use std::fmt;
use std::time::Duration;

use super::report::{format_ms, percentile_name, Report};

/// The outcome of [`compare`]: both latencies at one quantile, their
/// sample counts and whether the increase stays within the bound.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Comparison {
    /// The quantile compared: the listed quantile of the reports closest to
    /// the requested one from above.
    pub quantile: f64,
    /// Baseline latency at `quantile`, in µs; `None` without samples.
    pub baseline_us: Option<u64>,
    /// Latency during the disturbance at `quantile`, in µs; `None` without
    /// samples.
    pub during_us: Option<u64>,
    /// 2xx responses behind the baseline latency.
    pub baseline_samples: u64,
    /// 2xx responses behind the latency during the disturbance.
    pub during_samples: u64,
    /// `during_us / baseline_us`; `None` unless both have samples.
    pub ratio: Option<f64>,
    /// The largest allowed relative increase: 0.5 allows 1.5 × baseline.
    pub max_increase_ratio: f64,
    /// Increases up to this much always hold, whatever the ratio.
    pub noise_floor: Duration,
    pub verdict: Verdict,
}

/// Whether a [`Comparison`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The increase is within the ratio or within the noise floor.
    Holds,
    /// The increase exceeds both the ratio and the noise floor.
    Exceeded,
    /// A report has no latency at the quantile, so nothing can be judged.
    NoSamples,
}

impl Comparison {
    /// Returns whether the bound holds. A comparison without samples
    /// does not hold.
    pub fn holds(&self) -> bool {
        self.verdict == Verdict::Holds
    }
}

/// Compares the latency at `quantile` of `during` with that of `baseline`.
///
/// The bound fails only when the latency during exceeds
/// `baseline × (1 + max_increase_ratio)` and also exceeds the baseline by
/// more than `noise_floor`. On loopback, latencies are fractions of a
/// millisecond, so a ratio alone would fail on scheduler noise; the floor
/// sets the smallest increase that counts. A report without samples at
/// `quantile` fails with [`Verdict::NoSamples`].
pub fn compare(
    baseline: &Report,
    during: &Report,
    quantile: f64,
    max_increase_ratio: f64,
    noise_floor: Duration,
) -> Comparison {
    let baseline_point = baseline.latency_at(quantile);
    let during_point = during.latency_at(quantile);
    let listed_quantile = baseline_point
        .or(during_point)
        .map(|(listed, _)| listed)
        .unwrap_or(quantile);
    let baseline_us = baseline_point.map(|(_, value)| value);
    let during_us = during_point.map(|(_, value)| value);

    let (ratio, verdict) = match (baseline_us, during_us) {
        (Some(baseline_value), Some(during_value)) => {
            let ratio = during_value as f64 / baseline_value.max(1) as f64;
            let over_ratio = ratio > 1.0 + max_increase_ratio;
            let increase = Duration::from_micros(during_value.saturating_sub(baseline_value));
            let over_floor = increase > noise_floor;
            let verdict = if over_ratio && over_floor {
                Verdict::Exceeded
            } else {
                Verdict::Holds
            };
            (Some(ratio), verdict)
        }
        _ => (None, Verdict::NoSamples),
    };

    Comparison {
        quantile: listed_quantile,
        baseline_us,
        during_us,
        baseline_samples: baseline.latency_us.count,
        during_samples: during.latency_us.count,
        ratio,
        max_increase_ratio,
        noise_floor,
        verdict,
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = percentile_name(self.quantile);
        let latency =
            |value: Option<u64>| value.map_or_else(|| "no samples".to_string(), format_ms);
        write!(
            f,
            "{name} latency {} during (n={}) vs {} baseline (n={})",
            latency(self.during_us),
            self.during_samples,
            latency(self.baseline_us),
            self.baseline_samples
        )?;
        if let Some(ratio) = self.ratio {
            write!(f, ", ratio {ratio:.2}")?;
        }
        write!(
            f,
            "; bound: at most {:.2} × baseline or baseline + {}: ",
            1.0 + self.max_increase_ratio,
            format_ms(u64::try_from(self.noise_floor.as_micros()).unwrap_or(u64::MAX))
        )?;
        match self.verdict {
            Verdict::Holds => write!(f, "holds"),
            Verdict::Exceeded => write!(f, "exceeded"),
            Verdict::NoSamples => write!(f, "cannot be judged without samples"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::load::config::Requested;
    use crate::load::report::{listed_quantiles, Errors, LatencySummary};

    /// Builds a report whose latency is `micros` at every quantile.
    fn report_at(micros: u64, count: u64) -> Report {
        let percentiles = if count == 0 {
            Vec::new()
        } else {
            listed_quantiles()
                .map(|quantile| (quantile, micros))
                .collect()
        };
        Report {
            model: "closed".to_string(),
            url: "http://127.0.0.1:8080/".to_string(),
            connections: 1,
            requested: Requested::Closed { requests: count },
            sent: count,
            ok: count,
            late: 0,
            time_limit_reached: false,
            errors: Errors {
                by_status: BTreeMap::new(),
                ..Errors::default()
            },
            duration_s: 1.0,
            rate_per_s: count as f64,
            latency_us: LatencySummary {
                count,
                min: micros,
                p50: micros,
                p90: micros,
                p95: micros,
                p99: micros,
                p999: micros,
                max: micros,
                mean: micros as f64,
            },
            percentiles,
        }
    }

    const FLOOR: Duration = Duration::from_millis(1);

    /// Compares p99 with a bound of 1.5 × baseline and a 1 ms noise floor.
    fn compare_p99(baseline: Report, during: Report) -> Comparison {
        compare(&baseline, &during, 0.99, 0.5, FLOOR)
    }

    #[test]
    fn compare_holds_within_ratio() {
        let comparison = compare_p99(report_at(10_000, 500), report_at(14_000, 400));
        assert_eq!(comparison.verdict, Verdict::Holds);
        assert!(comparison.holds());
        assert_eq!(comparison.baseline_us, Some(10_000));
        assert_eq!(comparison.during_us, Some(14_000));
        assert_eq!(comparison.baseline_samples, 500);
        assert_eq!(comparison.during_samples, 400);
        assert_eq!(comparison.ratio, Some(1.4));
    }

    #[test]
    fn compare_holds_within_noise_floor() {
        // 5 × the baseline, but only 0.8 ms more.
        let comparison = compare_p99(report_at(200, 500), report_at(1_000, 500));
        assert_eq!(comparison.verdict, Verdict::Holds);
        assert_eq!(comparison.ratio, Some(5.0));
    }

    #[test]
    fn compare_fails_over_ratio_and_floor() {
        let comparison = compare_p99(report_at(200, 500), report_at(1_300, 500));
        assert_eq!(comparison.verdict, Verdict::Exceeded);
        assert!(!comparison.holds());
    }

    #[test]
    fn compare_holds_at_exact_bound() {
        // 1.5 × baseline and an increase of exactly the floor both hold.
        let comparison = compare_p99(report_at(2_000, 500), report_at(3_000, 500));
        assert_eq!(comparison.verdict, Verdict::Holds);
    }

    #[test]
    fn compare_holds_when_latency_drops() {
        let comparison = compare(
            &report_at(5_000, 500),
            &report_at(1_000, 500),
            0.99,
            0.0,
            Duration::ZERO,
        );
        assert_eq!(comparison.verdict, Verdict::Holds);
        assert_eq!(comparison.ratio, Some(0.2));
    }

    #[test]
    fn compare_without_samples_does_not_hold() {
        let comparison = compare_p99(report_at(200, 500), report_at(0, 0));
        assert_eq!(comparison.verdict, Verdict::NoSamples);
        assert!(!comparison.holds());
        assert_eq!(comparison.during_us, None);
        assert_eq!(comparison.ratio, None);
        assert_eq!(comparison.quantile, 0.99);
    }

    #[test]
    fn compare_uses_next_listed_quantile() {
        let comparison = compare(
            &report_at(200, 500),
            &report_at(200, 500),
            0.9985,
            0.5,
            FLOOR,
        );
        assert_eq!(comparison.quantile, 0.999);
    }

    #[test]
    fn display_quotes_percentile_and_samples() {
        let comparison = compare_p99(report_at(200, 500), report_at(1_300, 400));
        assert_eq!(
            comparison.to_string(),
            "p99 latency 1.300 ms during (n=400) vs 0.200 ms baseline (n=500), ratio 6.50; \
             bound: at most 1.50 × baseline or baseline + 1.000 ms: exceeded"
        );

        let comparison = compare(&report_at(200, 0), &report_at(300, 400), 0.999, 0.5, FLOOR);
        assert_eq!(
            comparison.to_string(),
            "p99.9 latency 0.300 ms during (n=400) vs no samples baseline (n=0); \
             bound: at most 1.50 × baseline or baseline + 1.000 ms: cannot be judged without samples"
        );
    }
}
