//! Waiting for the open model's intended start times more precisely than
//! tokio's sleep, which operates at millisecond granularity (tokio 1.54
//! docs of `tokio::time::sleep`). With tokio's sleep, open-model requests
//! to a loopback node server started 1 to 2 ms late, which their latency
//! included: p50 was 1.0 to 1.7 ms at 1000 requests/s, against 0.09 to
//! 0.20 ms with a timerfd on the same 2-core machine (ci/BENCHMARKS.md).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// A per-worker timer for intended start times: a Linux timerfd, or
/// tokio's sleep where no timerfd could be created or armed.
pub(crate) struct StartTimer {
    timerfd: Option<TimerFd>,
}

impl StartTimer {
    pub fn new() -> StartTimer {
        StartTimer {
            timerfd: TimerFd::new().ok(),
        }
    }

    /// Waits until `deadline`. Returns at once if it has passed.
    pub async fn sleep_until(&mut self, deadline: Instant) {
        if let Some(timerfd) = &self.timerfd {
            if timerfd.sleep_until(deadline).await.is_ok() {
                return;
            }
            // NOTE: after a timerfd error the worker falls back to tokio's
            // sleep for the rest of the run, and its starts become up to
            // about 2 ms late again.
            self.timerfd = None;
        }
        tokio::time::sleep_until(deadline.into()).await;
    }
}

/// A non-blocking `CLOCK_MONOTONIC` timerfd registered with tokio's
/// reactor, so that its expiry wakes the waiting task through epoll.
struct TimerFd {
    fd: AsyncFd<OwnedFd>,
}

impl TimerFd {
    fn new() -> io::Result<TimerFd> {
        // SAFETY: timerfd_create takes no pointers. A non-negative result is
        // a new file descriptor that nothing else owns.
        let raw = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is the valid descriptor created above, owned only here.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: an `OwnedFd` keeps its descriptor open, and returns the
        // same one from `as_raw_fd`, until the `AsyncFd` drops it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE)? };
        Ok(TimerFd { fd })
    }

    async fn sleep_until(&self, deadline: Instant) -> io::Result<()> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Ok(());
        }
        self.arm(remaining)?;
        self.fd
            .async_io(Interest::READABLE, |fd| read_expirations(fd.as_raw_fd()))
            .await
    }

    /// Sets the timer to expire once, `after` from now.
    fn arm(&self, after: Duration) -> io::Result<()> {
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let spec = libc::itimerspec {
            it_interval: zero,
            it_value: libc::timespec {
                tv_sec: libc::time_t::try_from(after.as_secs()).unwrap_or(libc::time_t::MAX),
                tv_nsec: after.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: the descriptor is a timerfd owned by `self`, `spec` lives
        // for the call, and a null old-value pointer is allowed.
        let result =
            unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        if result < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// Reads a timerfd's expiration count, which also resets its readiness.
fn read_expirations(fd: libc::c_int) -> io::Result<()> {
    let mut expirations = [0u8; 8];
    // SAFETY: the buffer is valid for writes of its 8 bytes, which is the
    // size of a timerfd's expiration count.
    let read = unsafe { libc::read(fd, expirations.as_mut_ptr().cast(), expirations.len()) };
    if read < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn timerfd_sleeps_until_deadline() {
        let timer = TimerFd::new().expect("create a timerfd");
        for _ in 0..5 {
            let deadline = Instant::now() + Duration::from_millis(3);
            timer.sleep_until(deadline).await.unwrap();
            let woke = Instant::now();
            assert!(
                woke >= deadline,
                "woke {:?} before the deadline",
                deadline - woke
            );
            assert!(
                woke - deadline < Duration::from_millis(500),
                "woke {:?} after the deadline",
                woke - deadline
            );
        }
    }

    #[tokio::test]
    async fn start_timer_returns_at_once_for_past_deadline() {
        let mut timer = StartTimer::new();
        let started = Instant::now();
        timer.sleep_until(started - Duration::from_millis(5)).await;
        assert!(started.elapsed() < Duration::from_millis(500));
    }
}
