//! Per-worker counts and latencies, merged into one at the end of a run so
//! that workers never share a lock while they send.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

/// The result of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A complete response with a 2xx status.
    Ok,
    /// A complete response with any other status.
    Status(u16),
    /// The connection could not be made, or was refused, reset or closed
    /// before the response was complete.
    Connect,
    /// No complete response within the request timeout.
    Timeout,
    /// Any other failure, such as a response that is not valid HTTP.
    Other,
}

/// Counts of each outcome, and the latencies of the 2xx responses.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    pub sent: u64,
    pub ok: u64,
    pub late: u64,
    pub connect: u64,
    pub timeout: u64,
    pub other: u64,
    pub by_status: BTreeMap<u16, u64>,
    /// Latencies of 2xx responses, in µs, with 3 significant digits. The
    /// histogram grows to the largest latency recorded, so a worker uses
    /// 40 KB of counts for latencies below 16 ms instead of 188 KB for a
    /// fixed range up to an hour.
    pub latency_us: Histogram<u64>,
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            sent: 0,
            ok: 0,
            late: 0,
            connect: 0,
            timeout: 0,
            other: 0,
            by_status: BTreeMap::new(),
            latency_us: Histogram::new(3).expect("3 significant digits are within 0 to 5"),
        }
    }

    /// Counts one request. `latency` is recorded only for a 2xx response.
    pub fn record(&mut self, outcome: Outcome, latency: Duration, late: bool) {
        self.sent += 1;
        if late {
            self.late += 1;
        }
        match outcome {
            Outcome::Ok => {
                self.ok += 1;
                let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
                // `record` grows the histogram, whereas `saturating_record`
                // would clamp to its current range.
                if self.latency_us.record(micros).is_err() {
                    self.latency_us.saturating_record(micros);
                }
            }
            Outcome::Status(status) => *self.by_status.entry(status).or_insert(0) += 1,
            Outcome::Connect => self.connect += 1,
            Outcome::Timeout => self.timeout += 1,
            Outcome::Other => self.other += 1,
        }
    }

    /// Adds the counts and latencies of `other` to this tally.
    pub fn merge(&mut self, other: &Tally) {
        self.sent += other.sent;
        self.ok += other.ok;
        self.late += other.late;
        self.connect += other.connect;
        self.timeout += other.timeout;
        self.other += other.other;
        for (status, count) in &other.by_status {
            *self.by_status.entry(*status).or_insert(0) += count;
        }
        self.latency_us
            .add(&other.latency_us)
            .expect("an auto-resizing histogram can add any histogram of the same precision");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_counts_each_outcome() {
        let mut tally = Tally::new();
        tally.record(Outcome::Ok, Duration::from_micros(250), false);
        tally.record(Outcome::Status(500), Duration::from_micros(100), true);
        tally.record(Outcome::Status(500), Duration::from_micros(100), false);
        tally.record(Outcome::Status(404), Duration::from_micros(100), false);
        tally.record(Outcome::Connect, Duration::ZERO, false);
        tally.record(Outcome::Timeout, Duration::from_secs(5), false);
        tally.record(Outcome::Other, Duration::ZERO, false);

        assert_eq!(tally.sent, 7);
        assert_eq!(tally.ok, 1);
        assert_eq!(tally.late, 1);
        assert_eq!(tally.connect, 1);
        assert_eq!(tally.timeout, 1);
        assert_eq!(tally.other, 1);
        assert_eq!(tally.by_status, BTreeMap::from([(404, 1), (500, 2)]));
        assert_eq!(tally.latency_us.len(), 1, "only 2xx latencies are recorded");
    }

    #[test]
    fn merge_adds_counts_and_latencies() {
        let mut first = Tally::new();
        first.record(Outcome::Ok, Duration::from_micros(100), false);
        first.record(Outcome::Status(503), Duration::ZERO, false);
        let mut second = Tally::new();
        second.record(Outcome::Ok, Duration::from_micros(900), true);
        second.record(Outcome::Status(503), Duration::ZERO, false);

        first.merge(&second);

        assert_eq!(first.sent, 4);
        assert_eq!(first.ok, 2);
        assert_eq!(first.late, 1);
        assert_eq!(first.by_status, BTreeMap::from([(503, 2)]));
        assert_eq!(first.latency_us.len(), 2);
        assert_eq!(first.latency_us.max(), 900);
    }

    #[test]
    fn record_keeps_extreme_latencies() {
        let mut tally = Tally::new();
        tally.record(Outcome::Ok, Duration::from_nanos(10), false);
        tally.record(Outcome::Ok, Duration::from_secs(7_200), false);

        assert_eq!(tally.latency_us.min(), 0, "below 1 µs rounds down to 0 µs");
        let max = tally.latency_us.max();
        assert!(
            max.abs_diff(7_200_000_000) <= 7_200_000,
            "max {max} µs should be 7200 s within 0.1 %"
        );
    }

    #[test]
    fn histogram_size_follows_largest_latency() {
        let mut tally = Tally::new();
        tally.record(Outcome::Ok, Duration::from_micros(16_000), false);
        assert_eq!(
            tally.latency_us.distinct_values(),
            5 * 1024,
            "counts up to 16 ms"
        );

        tally.record(Outcome::Ok, Duration::from_secs(3_600), false);
        assert_eq!(
            tally.latency_us.distinct_values(),
            23 * 1024,
            "counts up to 1 h"
        );
    }

    #[test]
    fn merge_grows_to_larger_latencies() {
        let mut small = Tally::new();
        small.record(Outcome::Ok, Duration::from_micros(100), false);
        let mut large = Tally::new();
        large.record(Outcome::Ok, Duration::from_secs(60), false);

        small.merge(&large);

        assert_eq!(small.latency_us.len(), 2);
        assert!(small.latency_us.max() >= 60_000_000);
    }
}
