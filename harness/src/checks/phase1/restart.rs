//! Automatic restart after SIGKILL of the main process.

use std::time::Duration;

use super::resources::window_start;
use crate::check::{shell_quote, unmet, CheckContext, CheckError};
use crate::checks::production_unit;
use crate::disruption;
use crate::query::http;
use crate::query::journal::{JournalQuery, UNIT_STARTED};
use crate::query::systemd::UnitProperties;
use crate::wait::{Progress, Wait};

/// `Restart=` values under which systemd restarts a service killed by SIGKILL.
const RESTARTS_ON_SIGKILL: &[&str] = &["always", "on-failure", "on-abnormal", "on-abort"];

pub fn restart_on_kill(ctx: &CheckContext) -> Result<(), CheckError> {
    let deadline = ctx.profile.service.restart_deadline;
    let before = production_unit(
        ctx,
        &["MainPID", "NRestarts", "Restart", "RestartUSec", "StartLimitBurst", "StartLimitIntervalUSec"],
    )?;
    require_restart_policy(&before, deadline)?;
    require_start_limit_headroom(ctx, &before)?;
    let main_pid = before.u64("MainPID")?;
    if main_pid == 0 {
        return Err(unmet(format!("{} to have a main process to kill", before.unit), "MainPID=0"));
    }
    let restarts_before = before.u64("NRestarts")?;

    disruption::record_begin(ctx, &format!("SIGKILL to MainPID {main_pid}"))?;
    let outcome = kill_and_await_restart(ctx, main_pid, deadline);
    let restored = ensure_active(ctx);
    disruption::record_end(ctx, &format!("SIGKILL to MainPID {main_pid}"))?;
    outcome?;
    restored?;

    let after = production_unit(ctx, &["MainPID", "NRestarts"])?;
    let restarts_after = after.u64("NRestarts")?;
    if restarts_after != restarts_before + 1 {
        return Err(unmet(
            format!("NRestarts of {} to go from {restarts_before} to {}", after.unit, restarts_before + 1),
            format!("NRestarts={restarts_after}"),
        ));
    }
    Ok(())
}

/// Fails without killing anything when the unit would not come back in time.
fn require_restart_policy(properties: &UnitProperties, deadline: Duration) -> Result<(), CheckError> {
    let policy = properties.get("Restart")?;
    if !RESTARTS_ON_SIGKILL.contains(&policy) {
        return Err(unmet(
            format!("{} to restart after SIGKILL (Restart=always)", properties.unit),
            format!("Restart={policy}; not killing the service, because systemd would leave it down"),
        ));
    }
    let delay = properties.span("RestartUSec")?.unwrap_or(Duration::MAX);
    if delay >= deadline {
        return Err(unmet(
            format!("RestartSec of {} to be shorter than the {} restart deadline", properties.unit, humantime::format_duration(deadline)),
            format!("RestartUSec={}; not killing the service", properties.get("RestartUSec")?),
        ));
    }
    Ok(())
}

/// Refuses to kill when one more start would exceed `StartLimitBurst` within
/// `StartLimitIntervalSec`: systemd would then give up and leave production
/// failed.
fn require_start_limit_headroom(ctx: &CheckContext, properties: &UnitProperties) -> Result<(), CheckError> {
    let burst = properties.u64("StartLimitBurst")?;
    let interval = properties.span("StartLimitIntervalUSec")?.unwrap_or(Duration::ZERO);
    if interval.is_zero() || burst == 0 {
        ctx.note("no start rate limit applies (StartLimitIntervalSec=0 or StartLimitBurst=0)");
        return Ok(());
    }
    // Round the interval up to whole seconds so no start inside it is missed.
    let since = window_start(ctx, interval + Duration::from_secs(1))?;
    let recent = JournalQuery::new()
        .with_match("_PID", "1")
        .with_match("UNIT", &properties.unit)
        .with_match("MESSAGE_ID", UNIT_STARTED)
        .with_since(since)
        .run(ctx, "starts within StartLimitIntervalSec")?
        .len() as u64;
    ctx.note(format!(
        "start limit: {recent} starts in the last {}, StartLimitBurst={burst}",
        humantime::format_duration(interval)
    ));
    if recent + 1 > burst {
        return Err(unmet(
            format!(
                "room for one more start of {} within StartLimitBurst={burst} per {}",
                properties.unit,
                humantime::format_duration(interval)
            ),
            format!(
                "{recent} starts already; refusing to kill, because systemd would stop restarting production"
            ),
        ));
    }
    Ok(())
}

fn kill_and_await_restart(ctx: &CheckContext, main_pid: u64, deadline: Duration) -> Result<(), CheckError> {
    let unit = ctx.profile.service.unit.clone();
    let url = ctx.profile.health_url();
    ctx.query("SIGKILL to the main process", &format!("kill -9 {main_pid}"))?;

    let wait = Wait::new(
        format!("{unit} to run a new main process that answers GET {url} with 200"),
        deadline,
    );
    let script = format!("systemctl show -p MainPID -p ActiveState --value {}", shell_quote(&unit));
    let polled = wait.poll(|| {
        let output = ctx.run_unrecorded(&script)?;
        let mut lines = output.stdout.lines();
        let pid: u64 = lines.next().and_then(|pid| pid.trim().parse().ok()).unwrap_or(0);
        let state = lines.next().unwrap_or("").trim().to_string();
        if pid == 0 || pid == main_pid || state != "active" {
            return Ok::<_, CheckError>(Progress::Pending(format!("MainPID={pid} ActiveState={state}")));
        }
        let probe = http::get_unrecorded(ctx, &url)?;
        if !probe.is_ok() {
            return Ok(Progress::Pending(format!("MainPID={pid} active, GET: {}", probe.describe())));
        }
        Ok(Progress::Done(pid))
    })?;
    let waited = polled?;
    ctx.note(format!("MainPID {main_pid} -> {} and HTTP 200 {}", waited.value, waited.describe(deadline)));
    Ok(())
}

/// Starts the production unit if it is not active, so that a failed check
/// leaves production running.
pub(crate) fn ensure_active(ctx: &CheckContext) -> Result<(), CheckError> {
    let unit = shell_quote(&ctx.profile.service.unit);
    let script = format!("systemctl is-active --quiet {unit} || {{ echo restarting; systemctl reset-failed {unit}; systemctl start {unit}; }}");
    ctx.query("restore: production active", &script)?;
    Ok(())
}
