//! The schedule of a run: the request that a worker sends next, and the
//! instant that its latency counts from.
//!
//! Both models hand out request numbers from one shared counter, so the
//! workers need no dispatcher task. In the open model request `i` has the
//! intended start `start + i / rate`, whatever the workers are doing, so
//! the schedule never slips behind a slow server.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::config::Model;
use super::timer::StartTimer;

/// The request that a worker sends next.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    /// The instant that the request's latency is measured from.
    pub start: Instant,
    /// Whether the request was taken after its intended start because all
    /// workers were busy. Always false in the closed model.
    pub late: bool,
}

/// The shared source of slots for one run.
#[derive(Debug)]
pub(crate) struct Schedule {
    next: AtomicU64,
    pacing: Pacing,
    /// No slot is handed out at or after this instant.
    deadline: Instant,
}

#[derive(Debug)]
enum Pacing {
    Closed {
        requests: u64,
    },
    Open {
        start: Instant,
        rate: f64,
        end: Instant,
    },
}

impl Schedule {
    /// Creates the schedule of `model` for a run that starts at `start` and
    /// hands out no slot after `time_limit`.
    pub fn new(model: Model, start: Instant, time_limit: Duration) -> Schedule {
        let pacing = match model {
            Model::Closed { requests } => Pacing::Closed { requests },
            Model::Open { rate, duration } => Pacing::Open {
                start,
                rate,
                end: start + duration,
            },
        };
        Schedule {
            next: AtomicU64::new(0),
            pacing,
            deadline: start + time_limit,
        }
    }

    /// Returns the next slot, waiting on `timer` for its intended start in
    /// the open model, or `None` when the run has handed out all its
    /// requests or reached its time limit.
    pub async fn next_slot(&self, timer: &mut StartTimer) -> Option<Slot> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        if now >= self.deadline {
            return None;
        }

        match self.pacing {
            Pacing::Closed { requests } => (index < requests).then_some(Slot {
                start: now,
                late: false,
            }),
            Pacing::Open { start, rate, end } => {
                let intended = start + Duration::from_secs_f64(index as f64 / rate);
                if intended >= end || intended >= self.deadline {
                    return None;
                }
                if intended > now {
                    timer.sleep_until(intended).await;
                    Some(Slot {
                        start: intended,
                        late: false,
                    })
                } else {
                    Some(Slot {
                        start: intended,
                        late: true,
                    })
                }
            }
        }
    }

    /// Returns the number of slots requested so far, including the ones
    /// past the end that stopped each worker.
    #[cfg(test)]
    fn taken(&self) -> u64 {
        self.next.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closed_schedule_hands_out_exactly_n_slots() {
        let mut timer = StartTimer::new();
        let schedule = Schedule::new(
            Model::Closed { requests: 3 },
            Instant::now(),
            Duration::from_secs(60),
        );
        let mut slots = 0;
        while let Some(slot) = schedule.next_slot(&mut timer).await {
            assert!(!slot.late, "closed slots are never late");
            slots += 1;
        }
        assert_eq!(slots, 3);
        assert_eq!(schedule.taken(), 4);
    }

    #[tokio::test]
    async fn open_schedule_keeps_intended_starts() {
        let mut timer = StartTimer::new();
        let start = Instant::now() - Duration::from_millis(100);
        let schedule = Schedule::new(
            Model::Open {
                rate: 100.0,
                duration: Duration::from_millis(50),
            },
            start,
            Duration::from_secs(60),
        );

        // The whole 50 ms window has passed, so all 5 slots are late and
        // keep their intended starts 10 ms apart.
        let mut starts = Vec::new();
        while let Some(slot) = schedule.next_slot(&mut timer).await {
            assert!(slot.late, "slot {} should be late", starts.len());
            starts.push(slot.start);
        }
        assert_eq!(starts.len(), 5);
        for (index, slot_start) in starts.iter().enumerate() {
            let offset = (*slot_start - start).as_nanos() as i128;
            let expected = 10_000_000 * index as i128;
            assert!(
                (offset - expected).abs() <= 1,
                "slot {index} starts {offset} ns after the run, expected {expected} ns"
            );
        }
    }

    #[tokio::test]
    async fn open_schedule_waits_for_intended_start() {
        let mut timer = StartTimer::new();
        let start = Instant::now();
        let schedule = Schedule::new(
            Model::Open {
                rate: 50.0,
                duration: Duration::from_millis(60),
            },
            start,
            Duration::from_secs(60),
        );

        let first = schedule.next_slot(&mut timer).await.unwrap();
        let second = schedule.next_slot(&mut timer).await.unwrap();
        assert!(!second.late, "a free worker takes its slot on time");
        assert_eq!(first.start, start);
        let offset = (second.start - start).as_nanos() as i128;
        assert!(
            (offset - 20_000_000).abs() <= 1,
            "second slot at {offset} ns, expected 20 ms"
        );
        assert!(
            Instant::now() >= second.start,
            "next_slot returned before the intended start"
        );
    }

    #[tokio::test]
    async fn schedule_stops_at_time_limit() {
        let mut timer = StartTimer::new();
        let schedule = Schedule::new(
            Model::Closed { requests: 1_000 },
            Instant::now() - Duration::from_secs(2),
            Duration::from_secs(1),
        );
        assert!(schedule.next_slot(&mut timer).await.is_none());
    }
}
