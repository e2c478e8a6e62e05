//! Records of the disruptions the suite causes, kept in the target's journal.
//!
//! Before a disruptive check kills, stops or loads anything it writes a
//! `begin` entry under the identifier `alive-suite`, and an `end` entry when
//! it has restored the host. Checks that count restarts or errors leave out
//! what happened between such a pair, so the suite's own kill is never
//! counted as an unplanned restart.

use std::time::Duration;

use crate::check::{shell_quote, CheckContext, CheckError};
use crate::query::journal::JournalQuery;

/// `SYSLOG_IDENTIFIER` of the suite's journal entries.
pub const SUITE_IDENTIFIER: &str = "alive-suite";
/// Journal field that marks an entry as a disruption record.
const EVENT_FIELD: &str = "ALIVE_SUITE_EVENT";

/// Events that happen shortly after a disruption ends, such as a start
/// job that completes after the check has seen the service respond, still
/// belong to it.
const TRAILING_MARGIN: Duration = Duration::from_secs(5);

/// How far before a window the query for disruption records starts.
const LOOKBACK: Duration = Duration::from_secs(3600);

/// A time interval, in microseconds since the epoch, that the suite disrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisruptionWindow {
    pub begin_us: u64,
    pub end_us: u64,
}

impl DisruptionWindow {
    pub fn contains(&self, realtime_us: u64) -> bool {
        self.begin_us <= realtime_us && realtime_us <= self.end_us
    }
}

/// Writes a disruption `begin` record for `action` of the running check.
pub fn record_begin(ctx: &CheckContext, action: &str) -> Result<(), CheckError> {
    record(ctx, "begin", action)
}

/// Writes the matching `end` record.
pub fn record_end(ctx: &CheckContext, action: &str) -> Result<(), CheckError> {
    record(ctx, "end", action)
}

fn record(ctx: &CheckContext, event: &str, action: &str) -> Result<(), CheckError> {
    let entry = format!(
        "MESSAGE=alive-suite disruption {event}: {action} ({check})\n\
         SYSLOG_IDENTIFIER={SUITE_IDENTIFIER}\nPRIORITY=5\n\
         {EVENT_FIELD}=disruption-{event}\nALIVE_SUITE_CHECK={check}\n",
        check = ctx.check_id
    );
    let script = format!("printf '%s' {} | logger --journald", shell_quote(&entry));
    ctx.query(&format!("journal record: disruption {event}"), &script)?;
    Ok(())
}

/// Returns the intervals the suite disrupted since `since_epoch`. A `begin`
/// with no `end` (a run that was killed) lasts until now.
pub fn windows_since(ctx: &CheckContext, since_epoch: u64) -> Result<Vec<DisruptionWindow>, CheckError> {
    // A disruption that began before the window can still reach into it,
    // so the query starts earlier than the window.
    let entries = JournalQuery::new()
        .with_match("SYSLOG_IDENTIFIER", SUITE_IDENTIFIER)
        .with_since(since_epoch.saturating_sub(LOOKBACK.as_secs()))
        .run(ctx, "the suite's own disruption records")?;
    let margin = TRAILING_MARGIN.as_micros() as u64;

    let mut windows = Vec::new();
    let mut open: Option<u64> = None;
    for entry in &entries {
        match entry.field(EVENT_FIELD).as_deref() {
            Some("disruption-begin") => {
                open.get_or_insert(entry.realtime_us);
            }
            Some("disruption-end") => {
                let begin = open.take().unwrap_or(entry.realtime_us);
                windows.push(DisruptionWindow {
                    begin_us: begin,
                    end_us: entry.realtime_us + margin,
                });
            }
            _ => {}
        }
    }
    if let Some(begin) = open {
        windows.push(DisruptionWindow {
            begin_us: begin,
            end_us: u64::MAX,
        });
    }
    Ok(windows)
}

/// Returns whether `realtime_us` falls inside any of `windows`.
pub fn is_suite_caused(windows: &[DisruptionWindow], realtime_us: u64) -> bool {
    windows.iter().any(|window| window.contains(realtime_us))
}
