//! Alert delivery, verified at the webhook receiver.

use std::time::Duration;

use super::healthcheck::{await_counter, stop_production};
use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::disruption;
use crate::wait::{Progress, Wait};

/// Text of the test alert, which distinguishes it from real alerts.
const TEST_ALERT_MARKER: &str = "TEST: Phase 2 verification by alive-suite";

/// One alert as the receiver recorded it.
#[derive(Debug, Clone)]
struct ReceivedAlert {
    received_at: f64,
    text: String,
}

pub fn alert_on_outage(ctx: &CheckContext) -> Result<(), CheckError> {
    let log = receiver_log(ctx)?;
    let health = &ctx.profile.healthcheck;
    let cycle = health.interval + health.max_accuracy + health.run_time;
    let before = received_alerts(ctx, &log)?.len();

    disruption::record_begin(ctx, "stop production until an alert")?;
    let outcome = outage_until_alert(ctx, &log, before, cycle);
    let restored = crate::checks::phase1::ensure_active(ctx);
    let recovered = await_counter(ctx, "the failure counter to return to 0", cycle, |count| count == 0);
    disruption::record_end(ctx, "stop production until an alert")?;
    let alerts = outcome?;
    restored?;
    recovered?;

    if alerts.len() != 1 {
        return Err(unmet(
            "exactly one alert for one outage",
            format!("{} alerts: {}", alerts.len(), describe(&alerts)),
        ));
    }
    let text = &alerts[0].text;
    let unit = &ctx.profile.service.unit;
    let service_name = unit.trim_end_matches(".service");
    if !text.contains(service_name) || !text.contains(&health.alert_threshold.to_string()) {
        return Err(unmet(
            format!("the alert to name {service_name} and the failure count {}", health.alert_threshold),
            format!("alert text: {text}"),
        ));
    }
    Ok(())
}

/// Stops production, waits for the first alert, then keeps production down
/// for two more health checks to see that no second alert follows.
/// Returns every alert received after the first `before`.
fn outage_until_alert(
    ctx: &CheckContext,
    log: &str,
    before: usize,
    cycle: Duration,
) -> Result<Vec<ReceivedAlert>, CheckError> {
    let deadline = ctx.profile.alerts.deadline;
    let threshold = ctx.profile.healthcheck.alert_threshold;
    stop_production(ctx)?;

    let wait = Wait::new("an alert at the receiver after production stopped", deadline)
        .with_interval(Duration::from_millis(250));
    let polled = wait.poll(|| {
        let alerts = received_alerts_unrecorded(ctx, log)?;
        if alerts.len() > before {
            return Ok::<_, CheckError>(Progress::Done(alerts.len() - before));
        }
        Ok(Progress::Pending(format!("{} alerts in total", alerts.len())))
    })?;
    let waited = polled?;
    ctx.note(format!("first alert arrived {} after production stopped", waited.describe(deadline)));

    await_counter(
        ctx,
        "two more failed health checks after the alert",
        cycle * 3,
        |count| count >= threshold + 2,
    )?;
    Ok(received_alerts(ctx, log)?.split_off(before))
}

pub fn test_alert(ctx: &CheckContext) -> Result<(), CheckError> {
    let script = &ctx.profile.alerts.script;
    let before = match &ctx.profile.alerts.receiver_log {
        Some(log) => Some(received_alerts(ctx, log)?.len()),
        None => None,
    };
    let output = ctx.run("test alert", &format!("{} {}", shell_quote(script), shell_quote(TEST_ALERT_MARKER)))?;
    if !output.success() {
        return Err(unmet(format!("{script} to send the test alert"), "it exited with an error"));
    }
    let (Some(log), Some(before)) = (ctx.profile.alerts.receiver_log.clone(), before) else {
        return Err(CheckError::NotApplicable(
            "the alert script exited 0, but delivery cannot be verified without alerts.receiver_log in the profile".to_string(),
        ));
    };

    let wait = Wait::new("the test alert at the receiver", ctx.profile.alerts.deadline);
    let polled = wait.poll(|| {
        let alerts = received_alerts_unrecorded(ctx, &log)?;
        if alerts.iter().skip(before).any(|alert| alert.text.contains(TEST_ALERT_MARKER)) {
            return Ok::<_, CheckError>(Progress::Done(()));
        }
        Ok(Progress::Pending(format!("{} alerts in total, none new with the test text", alerts.len())))
    })?;
    let waited = polled?;
    ctx.note(format!("test alert received after {} ms", waited.elapsed.as_millis()));
    Ok(())
}

fn receiver_log(ctx: &CheckContext) -> Result<String, CheckError> {
    ctx.profile.alerts.receiver_log.clone().ok_or_else(|| {
        CheckError::NotApplicable(
            "no webhook receiver to read alerts back from; set alerts.receiver_log in the profile".to_string(),
        )
    })
}

fn receiver_script(log: &str) -> String {
    format!("cat {} 2>/dev/null || true", shell_quote(log))
}

fn received_alerts(ctx: &CheckContext, log: &str) -> Result<Vec<ReceivedAlert>, CheckError> {
    let output = ctx.run("alerts recorded by the receiver", &receiver_script(log))?;
    Ok(parse_alerts(&output.stdout))
}

fn received_alerts_unrecorded(ctx: &CheckContext, log: &str) -> Result<Vec<ReceivedAlert>, CheckError> {
    let output = ctx.run_unrecorded(&receiver_script(log))?;
    Ok(parse_alerts(&output.stdout))
}

/// Parses the receiver's JSON lines; lines that are not alerts are skipped.
fn parse_alerts(text: &str) -> Vec<ReceivedAlert> {
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|value| ReceivedAlert {
            received_at: value["received_at"].as_f64().unwrap_or(0.0),
            text: value["body"]["text"].as_str().unwrap_or("").to_string(),
        })
        .collect()
}

fn describe(alerts: &[ReceivedAlert]) -> String {
    alerts
        .iter()
        .map(|alert| format!("@{:.1} {}", alert.received_at, alert.text))
        .collect::<Vec<_>>()
        .join("; ")
}
