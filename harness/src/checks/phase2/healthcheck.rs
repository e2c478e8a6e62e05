//! The health-check timer, its script and its failure counter.

use std::time::Duration;

use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::checks::history_window;
use crate::checks::phase1::window_start;
use crate::disruption;
use crate::phase::Phase;
use crate::query::clock;
use crate::query::journal::{JournalQuery, UNIT_FAILED, UNIT_STARTED};
use crate::query::systemd::show_unit;
use crate::wait::{Progress, Wait};

/// Runs of the health check that the gap check needs to see.
const MIN_RUNS_FOR_GAPS: usize = 3;

pub fn healthcheck_units(ctx: &CheckContext) -> Result<(), CheckError> {
    let health = &ctx.profile.healthcheck;
    for (unit, file) in [(&health.timer, &health.timer_file), (&health.service, &health.service_file)] {
        let properties = show_unit(ctx, unit, &["FragmentPath"])?;
        let fragment = properties.get("FragmentPath")?;
        if fragment != file {
            return Err(unmet(format!("{unit} to be loaded from {file}"), format!("FragmentPath={fragment}")));
        }
    }
    Ok(())
}

pub fn timer_active(ctx: &CheckContext) -> Result<(), CheckError> {
    let timer = &ctx.profile.healthcheck.timer;
    let properties = show_unit(ctx, timer, &["ActiveState", "SubState"])?;
    let state = format!("{} ({})", properties.get("ActiveState")?, properties.get("SubState")?);
    if properties.get("ActiveState")? != "active" {
        return Err(unmet(format!("{timer} to be active"), state));
    }
    Ok(())
}

pub fn timer_every_minute(ctx: &CheckContext) -> Result<(), CheckError> {
    let health = &ctx.profile.healthcheck;
    let interval = configured_interval(ctx)?;
    if interval > health.interval {
        return Err(unmet(
            format!("{} to fire at least every {}", health.timer, humantime::format_duration(health.interval)),
            format!("an interval of {}", humantime::format_duration(interval)),
        ));
    }

    // systemd may delay a timer by up to AccuracySec, one minute by default.
    let properties = show_unit(ctx, &health.timer, &["AccuracyUSec"])?;
    let accuracy = properties.span("AccuracyUSec")?.unwrap_or(Duration::MAX);
    if accuracy > health.max_accuracy {
        return Err(unmet(
            format!("AccuracySec of {} to be at most {}", health.timer, humantime::format_duration(health.max_accuracy)),
            format!("AccuracyUSec={}", properties.get("AccuracyUSec")?),
        ));
    }

    // The real runs: the gaps between completed runs in the journal.
    let max_gap = health.interval + health.max_accuracy + health.run_time;
    let runs = await_runs(ctx, MIN_RUNS_FOR_GAPS)?;
    let widest = runs.windows(2).map(|pair| pair[1] - pair[0]).max().unwrap_or(0);
    let widest = Duration::from_micros(widest);
    ctx.note(format!("{} runs, widest gap {} ms", runs.len(), widest.as_millis()));
    if widest > max_gap {
        return Err(unmet(
            format!("runs of {} at most {} apart (interval + accuracy + run time)", health.service, humantime::format_duration(max_gap)),
            format!("a gap of {} ms", widest.as_millis()),
        ));
    }

    // Past runs prove nothing about a timer that has since stopped, so a
    // new run must finish, successfully or not, within one more cycle.
    let since = clock::now(ctx)?;
    let query = JournalQuery::new()
        .with_match("_PID", "1")
        .with_match("UNIT", &health.service)
        .with_match("MESSAGE_ID", UNIT_STARTED)
        .with_match("MESSAGE_ID", UNIT_FAILED)
        .with_since(since + 1);
    let wait = Wait::new(format!("a new run of {} to finish", health.service), max_gap + Duration::from_secs(1));
    let polled = wait.poll(|| {
        let runs = query.run(ctx, &format!("runs of {} after the check started", health.service))?;
        if runs.is_empty() {
            return Ok::<_, CheckError>(Progress::Pending("no new run".to_string()));
        }
        Ok(Progress::Done(runs.len()))
    })?;
    let waited = polled.map_err(|timeout| {
        unmet(
            format!("a new run of {} within {} (interval + accuracy + run time)", health.service, humantime::format_duration(max_gap)),
            timeout.to_string(),
        )
    })?;
    ctx.note(format!("a new run finished {} ms after the check started", waited.elapsed.as_millis()));
    Ok(())
}

/// Returns the timer's interval: `OnUnitActiveSec=` and its relatives, or
/// the distance between the next two elapses of an `OnCalendar=` spec.
fn configured_interval(ctx: &CheckContext) -> Result<Duration, CheckError> {
    let timer = &ctx.profile.healthcheck.timer;
    let output = ctx.query(
        &format!("timer settings of {timer}"),
        &format!("systemctl show -p TimersMonotonic -p TimersCalendar {}", shell_quote(timer)),
    )?;
    let mut intervals = Vec::new();
    for line in output.stdout.lines() {
        for setting in ["OnUnitActiveUSec=", "OnUnitInactiveUSec="] {
            if let Some(rest) = line.split(setting).nth(1) {
                let value = rest.split(" ;").next().unwrap_or("").trim();
                let span = humantime::parse_duration(value).map_err(|_| CheckError::Parse {
                    what: format!("{setting} of {timer}"),
                    detail: format!("`{value}` is not a time span"),
                })?;
                intervals.push(span);
            }
        }
        if let Some(rest) = line.split("OnCalendar=").nth(1) {
            let spec = rest.split(" ;").next().unwrap_or("").trim();
            intervals.push(calendar_interval(ctx, spec)?);
        }
    }
    intervals.into_iter().min().ok_or_else(|| {
        unmet(format!("{timer} to have a repeating schedule"), "no OnUnitActiveSec, OnUnitInactiveSec or OnCalendar")
    })
}

fn calendar_interval(ctx: &CheckContext, spec: &str) -> Result<Duration, CheckError> {
    let script = format!(
        "systemd-analyze calendar --iterations=2 {} | sed -n 's/^ *\\(Next elapse\\|Iter. #2\\): //p' | while read -r at; do date -d \"$at\" +%s; done",
        shell_quote(spec)
    );
    let output = ctx.query(&format!("next elapses of OnCalendar={spec}"), &script)?;
    let elapses: Vec<u64> = output.stdout.lines().filter_map(|line| line.trim().parse().ok()).collect();
    match elapses[..] {
        [first, second] if second > first => Ok(Duration::from_secs(second - first)),
        _ => Err(CheckError::Parse {
            what: format!("next elapses of OnCalendar={spec}"),
            detail: format!("expected two increasing timestamps, found {elapses:?}"),
        }),
    }
}

/// Returns the completion times (microseconds) of the health check's
/// recent runs, waiting until at least `count` runs exist.
fn await_runs(ctx: &CheckContext, count: usize) -> Result<Vec<u64>, CheckError> {
    let health = &ctx.profile.healthcheck;
    let span = (health.interval + health.max_accuracy + health.run_time) * (count as u32 + 1);
    let since = window_start(ctx, span)?;
    let query = JournalQuery::new()
        .with_match("_PID", "1")
        .with_match("UNIT", &health.service)
        .with_match("MESSAGE_ID", UNIT_STARTED)
        .with_since(since);
    let wait = Wait::new(format!("{count} completed runs of {}", health.service), span);
    let polled = wait.poll(|| {
        let runs = query.run(ctx, &format!("completed runs of {}", health.service))?;
        if runs.len() >= count {
            return Ok::<_, CheckError>(Progress::Done(runs.iter().map(|entry| entry.realtime_us).collect()));
        }
        Ok(Progress::Pending(format!("{} runs", runs.len())))
    })?;
    Ok(polled?.value)
}

pub fn health_script(ctx: &CheckContext) -> Result<(), CheckError> {
    let script = &ctx.profile.healthcheck.script;
    let output = ctx.run(&format!("health-check script {script}"), &format!("test -f {0} && test -x {0} && ls -l {0}", shell_quote(script)))?;
    if !output.success() {
        return Err(unmet(format!("{script} to exist and be executable"), "it is missing or not executable"));
    }
    Ok(())
}

pub fn no_false_alarms(ctx: &CheckContext) -> Result<(), CheckError> {
    let health = &ctx.profile.healthcheck;
    let window = Phase::Two.window(ctx.profile);
    let history = history_window(ctx, window)?;
    let since = history.0;
    let entries = JournalQuery::new()
        .with_unit(&health.service)
        .with_window(history)
        .run(ctx, &format!("journal of {} in the Phase 2 window", health.service))?;
    let suite_windows = disruption::windows_since(ctx, since)?;
    let alarms: Vec<String> = entries
        .iter()
        .filter(|entry| entry.priority.is_some_and(|priority| priority <= 3))
        .filter(|entry| !disruption::is_suite_caused(&suite_windows, entry.realtime_us))
        .map(|entry| format!("@{} {}", entry.realtime_secs(), entry.message))
        .collect();
    ctx.note(format!("{} error entries outside the suite's own disruptions", alarms.len()));
    if alarms.len() > health.max_false_alarms {
        return Err(unmet(
            format!(
                "at most {} error entries of {} in {}",
                health.max_false_alarms,
                health.service,
                humantime::format_duration(window)
            ),
            format!("{}: {}", alarms.len(), alarms.join("; ")),
        ));
    }
    Ok(())
}

pub fn observation_window(ctx: &CheckContext) -> Result<(), CheckError> {
    let timer = &ctx.profile.healthcheck.timer;
    let window = Phase::Two.window(ctx.profile);
    let properties = show_unit(ctx, timer, &["ActiveState", "ActiveEnterTimestamp"])?;
    let Some(entered) = properties.timestamp("ActiveEnterTimestamp")? else {
        return Err(unmet(format!("{timer} to have been activated"), "no ActiveEnterTimestamp"));
    };
    let active_for = Duration::from_secs(clock::now(ctx)?.saturating_sub(entered));
    if properties.get("ActiveState")? != "active" || active_for < window {
        return Err(unmet(
            format!("{timer} to have been active for the Phase 2 window of {}", humantime::format_duration(window)),
            format!("{} for {}", properties.get("ActiveState")?, humantime::format_duration(active_for)),
        ));
    }
    Ok(())
}

pub fn outage_detection(ctx: &CheckContext) -> Result<(), CheckError> {
    let health = &ctx.profile.healthcheck;
    let cycle = health.interval + health.max_accuracy + health.run_time;

    disruption::record_begin(ctx, "stop production")?;
    let outcome = detect_outage(ctx, cycle);
    let restored = crate::checks::phase1::ensure_active(ctx);
    let recovered = outcome.and_then(|()| {
        await_counter(ctx, "the failure counter to return to 0 after production started", cycle, |count| count == 0)
            .map(|_| ())
    });
    disruption::record_end(ctx, "stop production")?;
    restored?;
    recovered?;
    Ok(())
}

fn detect_outage(ctx: &CheckContext, cycle: Duration) -> Result<(), CheckError> {
    stop_production(ctx)?;
    await_counter(ctx, "the failure counter to reach 1 while production is stopped", cycle, |count| count >= 1)?;
    Ok(())
}

/// Stops the production unit; the caller restarts it.
pub(super) fn stop_production(ctx: &CheckContext) -> Result<(), CheckError> {
    let unit = shell_quote(&ctx.profile.service.unit);
    ctx.query("stop production", &format!("systemctl stop {unit}"))?;
    Ok(())
}

/// Polls the failure counter file until `done` holds for its value; a
/// missing file reads as 0.
pub(super) fn await_counter(
    ctx: &CheckContext,
    what: &str,
    deadline: Duration,
    done: impl Fn(u32) -> bool,
) -> Result<u32, CheckError> {
    let counter = &ctx.profile.healthcheck.counter_file;
    let script = format!("cat {} 2>/dev/null || echo 0", shell_quote(counter));
    let wait = Wait::new(format!("{what} ({counter})"), deadline);
    let polled = wait.poll(|| {
        let output = ctx.run_unrecorded(&script)?;
        let count: u32 = output.stdout_trimmed().parse().unwrap_or(0);
        if done(count) {
            return Ok::<_, CheckError>(Progress::Done(count));
        }
        Ok(Progress::Pending(format!("counter {count}")))
    })?;
    let waited = polled?;
    ctx.note(format!("{what}: counter {} {}", waited.value, waited.describe(deadline)));
    Ok(waited.value)
}
